# Run by busybox sh from the root of a prepared directory, with relative paths only, so that
# hartlab (the directory as /) and qemu-riscv64 (the directory as the working directory) agree.
echo "== pipes and sort"
sort data/fruit.txt | grep -v fig | sed 's/a/A/g' | cat -n
echo "== command substitution and arithmetic"
count=$(wc -l < data/fruit.txt)
echo "fruit lines: $count, doubled: $((count * 2))"
upper=$(echo "$(head -n 1 data/fruit.txt)" | tr a-z A-Z)
echo "first, upper: $upper"
echo "== subshells"
(cd data && echo "in data: $(ls | wc -l) entries")
outer=1
(outer=2; echo "inside: $outer")
echo "outside: $outer"
echo "== loops"
for f in data/*.txt; do
  printf '%s has %s words\n' "$f" "$(wc -w < "$f")"
done
i=0
while [ "$i" -lt 3 ]; do i=$((i + 1)); echo "while $i"; done
echo "== ls -l (type and mode, size, date, name; owners and link counts vary by host)"
ls -l data | grep -v '^total' | awk '{print $1, $5, $6, $7, $8, $9, $10, $11}'
echo "== awk"
awk -F: '{ sum += $2; names = names $1 " " } END { print "total", sum; print names }' data/scores
echo "== find"
find data -type f | sort
find data -name '*.txt' -newer data/fruit.txt | sort
echo "== tar"
mkdir work
tar cf work/data.tar data/fruit.txt data/scores
tar tf work/data.tar
mkdir work/x
tar xf work/data.tar -C work/x
cat work/x/data/scores | wc -c
cmp data/scores work/x/data/scores && echo "tar round trip ok"
ls -l work/x/data | grep -v '^total' | awk '{print $1, $5, $6, $7, $8, $9}'
echo "== here-document to sh"
sh <<'END'
v=inner
echo "sh read a here-document: $v"
for n in 1 2 3; do echo "n=$n"; done | tail -n 1
END
echo "== files written and removed"
echo "written by the guest" > work/new.txt
cat work/new.txt
chmod 600 work/new.txt
ls -l work/new.txt | awk '{print $1, $5}'
rm -r work
[ -e work ] || echo "work is gone"
echo "== exit status"
false || echo "false failed as it should"
sh -c 'exit 3'; echo "sh -c exit: $?"
