# Prints "LINES FILE:LINE NAME" for every C function longer than LIMIT lines
# (awk -v LIMIT=150). A function starts at a line that begins with a letter at
# column 0 and ends at the first "}" at column 0 after its opening brace.
FNR == 1 { inf = 0; cand = 0 }
!inf && /^[a-zA-Z]/ && !/^(typedef|struct|enum|union)/ && !/;[ \t]*$/ { cand = FNR; name = $0 }
!inf && cand && /\{[ \t]*$/ { inf = 1; start = cand; cand = 0; next }
!inf && /;[ \t]*$/ { cand = 0 }
inf && /^}/ { n = FNR - start + 1; if (n > LIMIT) { printf "%d %s:%d %s\n", n, FILENAME, start, substr(name, 1, 60); bad = 1 } inf = 0 }
END { exit bad }
