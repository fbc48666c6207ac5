#!/usr/bin/env bash
# check-tracked.sh fails when a tracked file is a build output (an
# executable or object by its magic number, or by its name: *.test, *.exe,
# *.o …) or larger than 1 MB: a binary in git is in every clone forever.
# Run from the repository root (make check does).
set -euo pipefail

max=$((1024 * 1024))
bad=0
while IFS= read -r -d '' f; do
	[ -f "$f" ] || continue # deleted in the work tree, not yet staged
	case "$f" in
	*.test | *.exe | *.dll | *.so | *.dylib | *.o | *.a | *.out | *.wasm | *.prof | *.pprof)
		echo "tracked build output (by name): $f"
		bad=1
		continue
		;;
	esac
	magic=$(head -c 4 "$f" | od -An -tx1 | tr -d ' \n')
	case "$magic" in
	7f454c46) kind=ELF ;;
	feedface | feedfacf | cefaedfe | cffaedfe | cafebabe) kind=Mach-O ;;
	4d5a*) kind=PE ;;
	0061736d) kind=WebAssembly ;;
	*) kind= ;;
	esac
	if [ -n "$kind" ]; then
		echo "tracked build output ($kind executable): $f"
		bad=1
		continue
	fi
	size=$(wc -c <"$f")
	if [ "$size" -gt "$max" ]; then
		echo "tracked file larger than 1 MB ($size bytes): $f"
		bad=1
	fi
done < <(git ls-files -z)
if [ "$bad" -ne 0 ]; then
	echo "remove them with git rm --cached, and ignore them in .gitignore"
	exit 1
fi
echo "tracked files: no build output, none over 1 MB"
