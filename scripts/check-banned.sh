#!/usr/bin/env bash
# check-banned.sh: fails when C code calls a function DESIGN.md §10 bans
# (sprintf, strcpy, strcat, atoi, gets, rand): none of them can report
# truncation, overflow or bad input, and rand is not a secure generator.
#
# Usage: scripts/check-banned.sh [DIR_OR_FILE ...]   (default: src tools)
# Scans *.c and *.h. Comments, string literals and character literals are
# blanked out first, so "sprintf" in prose does not trip it; names are matched
# as whole words followed by '(', so snprintf, vsnprintf, fgets, srand,
# rand_r, RAND_bytes and randombytes_buf do not match either.
# Prints file:line: text for each hit and exits 1; otherwise prints
# "check-banned: ok" and exits 0.
set -euo pipefail
cd "$(dirname "$0")/.."

if [ "$#" -eq 0 ]; then
  set -- src tools
fi

targets=()
for t in "$@"; do
  [ -e "$t" ] && targets+=("$t")
done
if [ "${#targets[@]}" -eq 0 ]; then
  echo "check-banned: ok"
  exit 0
fi

# The perl program is single-quoted on purpose: its $ are perl, not shell.
# shellcheck disable=SC2016
find "${targets[@]}" -type f \( -name '*.c' -o -name '*.h' \) -print0 | sort -z |
  xargs -0 -r perl -e '
    my $hits = 0;
    for my $file (@ARGV) {
      open(my $fh, "<", $file) or die "check-banned: $file: $!\n";
      local $/;
      my $src = <$fh>;
      close($fh);
      my @orig = split /\n/, $src, -1;
      # Blank comments and literals, keeping newlines so line numbers hold.
      # The alternation takes whichever construct starts first, so a "/*"
      # inside a string stays a string and a quote inside a comment is ignored.
      $src =~ s{ /\*.*?\*/ | //[^\n]* | "(?:\\.|[^"\\\n])*" | \x27(?:\\.|[^\x27\\\n])*\x27 }
               { (my $m = $&) =~ s/[^\n]/ /g; $m }gsex;
      my @lines = split /\n/, $src, -1;
      for my $i (0 .. $#lines) {
        my @names = $lines[$i] =~ /\b(sprintf|strcpy|strcat|atoi|gets|rand)\s*\(/g;
        if (@names) {
          print "$file:", $i + 1, ": ", join(",", @names), ": $orig[$i]\n";
          $hits++;
        }
      }
    }
    exit($hits ? 1 : 0);
  ' && status=0 || status=$?

if [ "$status" -eq 0 ]; then
  echo "check-banned: ok"
  exit 0
fi
if [ "$status" -eq 1 ] || [ "$status" -eq 123 ]; then
  echo "check-banned: banned functions found (DESIGN.md §10)" >&2
  exit 1
fi
echo "check-banned: scan failed (status $status)" >&2
exit 2
