/* The on-disk schema of receval's HDF5 files in one place: the prepared
 * dataset, results.h5, model.h5 and checkpoint.h5 (dataset paths, root
 * attribute names, format names). Macros, so that a path can be joined to a
 * suffix at compile time (RV_RES_PER_USER "/%s"). */
#ifndef RV_IO_SCHEMA_H
#define RV_IO_SCHEMA_H

/* ---- root attributes shared by every receval file ---- */
#define RV_ATTR_FORMAT "format"
#define RV_ATTR_VERSION "version"
#define RV_ATTR_N_USERS "n_users"
#define RV_ATTR_N_ITEMS "n_items"
#define RV_ATTR_DIM "dim"
#define RV_ATTR_DATASET "dataset"
#define RV_ATTR_DATASET_CHECKSUM "dataset_checksum"

/* ---- format names (the value of RV_ATTR_FORMAT) and versions ---- */
#define RV_FMT_DATASET "receval-dataset"
#define RV_FMT_RESULTS "receval-results"
#define RV_FMT_MODEL "receval-model"
#define RV_FMT_CHECKPOINT "receval-checkpoint"
#define RV_FMT_VERSION 1

/* ---- file names inside an output directory ---- */
#define RV_FILE_RESULTS "results.h5"
#define RV_FILE_MODEL "model.h5"
#define RV_FILE_CHECKPOINT "checkpoint.h5"
#define RV_FILE_REPORT_PB "report.pb"
#define RV_FILE_REPORT_JSON "report.json"

/* ---- the prepared dataset (receval prepare, receval gen) ---- */
#define RV_DS_ITEMS_EMBEDDING "/items/embedding"
#define RV_DS_USERS_EMBEDDING "/users/embedding"
#define RV_DS_TRAIN "/train"
#define RV_DS_TRAIN_INDPTR "/train/indptr"
#define RV_DS_TRAIN_INDICES "/train/indices"
#define RV_DS_TRAIN_VALUES "/train/values"
#define RV_DS_TRAIN_TIMESTAMP "/train/timestamp"
#define RV_DS_TEST "/test"
#define RV_DS_TEST_INDPTR "/test/indptr"
#define RV_DS_TEST_INDICES "/test/indices"
#define RV_DS_TEST_VALUES "/test/values"
#define RV_DS_ITEMS_CATEGORY_INDPTR "/items/category/indptr"
#define RV_DS_ITEMS_CATEGORY_INDICES "/items/category/indices"
#define RV_DS_ITEMS_CATEGORY_NAMES "/items/category_names"
#define RV_DS_USERS_ID "/users/id"
#define RV_DS_ITEMS_ID "/items/id"
#define RV_DS_ITEMS_TITLE "/items/title"
#define RV_DS_ITEMS_TEXT "/items/text"
/* dataset root attributes besides the shared ones */
#define RV_ATTR_N_CATEGORIES "n_categories"
#define RV_ATTR_GENERATOR "generator"
#define RV_ATTR_GENERATOR_SEED "generator_seed"
#define RV_ATTR_GENERATOR_CLUSTERS "generator_clusters"
#define RV_ATTR_SOURCE "source"
#define RV_ATTR_ENCODER "encoder"
#define RV_ATTR_SPLIT "split"
#define RV_ATTR_SPLIT_TEST_FRAC "split_test_frac"
#define RV_ATTR_SPLIT_SEED "split_seed"
#define RV_ATTR_SPLIT_TEMPORAL_CUT "split_temporal_cut"
#define RV_ATTR_RATING_THRESHOLD "rating_threshold"
#define RV_ATTR_MIN_USER_INTERACTIONS "min_user_interactions"
#define RV_ATTR_MIN_ITEM_INTERACTIONS "min_item_interactions"
#define RV_ATTR_SOURCE_INTERACTIONS "source_interactions"
#define RV_ATTR_SOURCE_USERS "source_users"
#define RV_ATTR_SOURCE_ITEMS "source_items"
#define RV_ATTR_REMOVED_DUPLICATES "removed_duplicates"
#define RV_ATTR_REMOVED_BELOW_THRESHOLD "removed_below_threshold"
#define RV_ATTR_REMOVED_KCORE "removed_kcore"
#define RV_ATTR_REMOVED_SAME_TEXT "removed_same_text"
/* values of RV_ATTR_GENERATOR */
#define RV_GEN_PREPARE "receval prepare"
#define RV_GEN_SYNTH "receval gen (synthetic, planted clusters)"

/* ---- results.h5 (receval eval, receval runs) ---- */
#define RV_RES_TOPK_ITEMS "/topk/items"
#define RV_RES_TOPK_SCORES "/topk/scores"
#define RV_RES_PER_USER "/per_user"
#define RV_RES_EXPOSURE_COUNT "/exposure/count"
#define RV_ATTR_JOBSPEC "jobspec"
/* ranked lists from elsewhere, read by receval runs */
#define RV_LISTS_ITEMS "/lists/items"
#define RV_LISTS_SCORES "/lists/scores"

/* ---- model.h5 and checkpoint.h5 (receval train) ---- */
#define RV_ATTR_MODEL "model"
#define RV_ATTR_SIMILARITY "similarity"
#define RV_ATTR_WHITEN "whiten"
#define RV_ATTR_TRAINSPEC "trainspec"
#define RV_ATTR_TRAINSPEC_KEY "trainspec_key"
#define RV_ATTR_LAMBDA "lambda"
#define RV_ATTR_BEST_VAL_LOSS "best_val_loss"
#define RV_ATTR_EPOCHS_RUN "epochs_run"
#define RV_ATTR_STEPS "steps"
#define RV_ATTR_EPOCH "epoch"
#define RV_ATTR_BATCH "batch"
#define RV_ATTR_STEP "step"
#define RV_ATTR_RNG_SEED "rng_seed"
#define RV_ATTR_BAD_EPOCHS "bad_epochs"
#define RV_ATTR_STOPPED "stopped"
#define RV_ATTR_EPOCH_PAIRS "epoch_pairs"
/* values of RV_ATTR_MODEL */
#define RV_MODEL_BILINEAR "bilinear"
#define RV_MODEL_ITEM_WEIGHT "item-weight"
#define RV_MOD_BILINEAR_A "/bilinear/A"
#define RV_MOD_ITEM_WEIGHT_W "/item_weight/w"
#define RV_MOD_ITEM_WEIGHT_B "/item_weight/b"
#define RV_MOD_HISTORY_LAMBDA "/history/lambda"
#define RV_MOD_HISTORY_VAL_AUC "/history/val_auc"
#define RV_MOD_HISTORY_TRAIN_LOSS "/history/train_loss"
#define RV_MOD_HISTORY_VAL_LOSS "/history/val_loss"
#define RV_CKPT_EPOCH_LOSS_SUM "/epoch/loss_sum_i128"
#define RV_CKPT_PARAMS "/params"
#define RV_CKPT_ADAM_M "/adam/m"
#define RV_CKPT_ADAM_V "/adam/v"
#define RV_CKPT_BEST_PARAMS "/best/params"

/* ---- an embeddings file given to receval prepare (relative names) ---- */
#define RV_EMB_EMBEDDING "embedding"
#define RV_EMB_ID "id"

#endif
