/* The built-in lexical encoder of `receval prepare` (for machines without a
 * language model). Not a semantic embedding: texts that share words get
 * similar vectors, nothing more.
 *
 * Tokens are maximal runs of ASCII letters and digits or non-ASCII bytes,
 * ASCII lower-cased. Each token is hashed into one of 2^18 buckets with a
 * sign (feature hashing). A document's bucket weights are TF-IDF:
 * (1 + ln tf) * (ln((1 + N) / (1 + df)) + 1), signed, with N documents and
 * df the documents holding the bucket. The weights are projected to `dim`
 * dimensions by a dense random +-1 matrix whose entries are a hash of
 * (seed, bucket, column), and each row is scaled to unit length (an empty
 * text gives the zero vector). No MPI, no HDF5. */
#ifndef RV_KERNELS_LEXENC_H
#define RV_KERNELS_LEXENC_H
#include <stdint.h>

#define RV_LEXENC_BUCKETS (1 << 18)

/* texts[n] (NULL = empty); out is n x dim. Returns 0, or -1 when out of memory. */
int rv_lexenc(const char *const *texts, int64_t n, int dim, uint64_t seed, float *out);

#endif
