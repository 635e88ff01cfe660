#!/usr/bin/env bash
# The reranker pipeline of docs/rerankers.md, from the shell only, on the shipped Debian set:
#   1. split: a test set (test queries, their documents + unlabelled distractors) and, disjoint from it,
#      a mining corpus (training queries' documents + other distractors) -- python3, standard library;
#   2. bge4j mine      hard negatives for the training queries with bge-small-en-v1.5;
#   3. bge4j rerank-finetune   a cross-encoder from bge-small-en-v1.5 (new seeded head);
#   4. bge4j evaluate --rerank  the base embedder's top K on the test queries, before/after, paired CI;
#   5. bge4j score     teacher scores from that cross-encoder on the mined file;
#   6. bge4j finetune  the embedder twice on the same examples: InfoNCE (mined.jsonl) and InfoNCE + KL
#      distillation (scored.jsonl); then bge4j evaluate base / InfoNCE / KL on the test set.
# Usage (after `mvn -B -q -DskipTests package`):
#   examples/scripts/reranker-cli.sh [out-dir [train-queries [test-queries [top-k [ce-epochs]]]]]
set -euo pipefail
OUT=${1:-runs/reranker-cli}
NTRAIN=${2:-1000}
NTEST=${3:-300}
TOPK=${4:-50}
CE_EPOCHS=${5:-2}
DATA=${DATA:-data/debian-packages-en}
JAR=${JAR:-examples/target/bge4j.jar}
MODEL=${MODEL:-bge-small-en-v1.5}
BGE="java -Xmx4g -jar $JAR"
mkdir -p "$OUT"
if [ -e "$OUT/test" ] || [ -e "$OUT/train.jsonl" ]; then
  echo "$OUT already holds a split; choose another output directory" >&2; exit 2
fi
python3 - "$DATA" "$OUT" "$NTRAIN" "$NTEST" <<'PY'
import json, random, sys, os
data, out, ntrain, ntest = sys.argv[1], sys.argv[2], int(sys.argv[3]), int(sys.argv[4])
rnd = random.Random(42)
def qrels(split):
    rows = [l.rstrip('\n').split('\t') for l in open(f'{data}/qrels/{split}.tsv', encoding='utf-8')][1:]
    m = {}
    for q, d, s in rows:
        if int(s) > 0: m.setdefault(q, []).append(d)
    return m
train, dev, test = qrels('train'), qrels('dev'), qrels('test')
docs = {}
order = []
for l in open(f'{data}/corpus.jsonl', encoding='utf-8'):
    d = json.loads(l); docs[d['_id']] = d; order.append(d['_id'])
queries = {json.loads(l)['_id']: json.loads(l)['text'] for l in open(f'{data}/queries.jsonl', encoding='utf-8')}
labelled = {d for m in (train, dev, test) for ds in m.values() for d in ds}
pool = [d for d in order if d not in labelled]
rnd.shuffle(pool)
half = len(pool) // 2
test_q = sorted(rnd.sample(sorted(test), min(ntest, len(test))))
train_q = sorted(rnd.sample(sorted(train), min(ntrain, len(train))))
os.makedirs(f'{out}/test/qrels', exist_ok=True)
with open(f'{out}/test/queries.jsonl', 'w', encoding='utf-8') as f:
    for q in test_q: f.write(json.dumps({'_id': q, 'text': queries[q]}) + '\n')
with open(f'{out}/test/qrels/test.tsv', 'w', encoding='utf-8') as f:
    f.write('query-id\tcorpus-id\tscore\n')
    for q in test_q:
        for d in test[q]: f.write(f'{q}\t{d}\t1\n')
test_docs = sorted({d for q in test_q for d in test[q]}) + pool[:half]
with open(f'{out}/test/corpus.jsonl', 'w', encoding='utf-8') as f:
    for d in test_docs: f.write(json.dumps(docs[d]) + '\n')
mine_docs = sorted({d for q in train_q for d in train[q]}) + pool[half:]
with open(f'{out}/mine-corpus.jsonl', 'w', encoding='utf-8') as f:
    for d in mine_docs: f.write(json.dumps(docs[d]) + '\n')
with open(f'{out}/train.jsonl', 'w', encoding='utf-8') as f:
    for q in train_q:
        f.write(json.dumps({'query': queries[q], 'pos': [docs[d]['text'] for d in train[q]], 'neg': []}) + '\n')
assert not set(test_docs) & set(mine_docs)
print(f'split: {len(test_q)} test queries over {len(test_docs)} docs; {len(train_q)} training queries, '
      f'mining corpus {len(mine_docs)} docs (disjoint from the test corpus)')
PY
t() { local name=$1; shift; echo "== $name: $*"; /usr/bin/time -f "== $name: %e s wall, %M KiB max RSS" "$@"; }
t mine $BGE mine --model "$MODEL" --input "$OUT/train.jsonl" --corpus "$OUT/mine-corpus.jsonl" \
  --output "$OUT/mined.jsonl" --range 2-40 --negatives 3 --relative-margin 0.05 --max-length 96
t rerank-finetune $BGE rerank-finetune --model "$MODEL" --train "$OUT/mined.jsonl" --output "$OUT/cross-encoder" \
  --group-size 4 --batch-size 8 --lr 1e-4 --epochs "$CE_EPOCHS" --query-max-len 32 --passage-max-len 64
t evaluate-rerank $BGE evaluate --model "$MODEL" --data "$OUT/test" --max-length 96 --rerank "$OUT/cross-encoder" \
  --rerank-top-k "$TOPK" --rerank-max-length 96 --rerank-output "$OUT/rerank-comparison.json"
t score $BGE score --reranker "$OUT/cross-encoder" --input "$OUT/mined.jsonl" --output "$OUT/scored.jsonl" --max-length 96
for run in infonce:mined kl:scored; do
  t "finetune-${run%%:*}" $BGE finetune --model "$MODEL" --train "$OUT/${run#*:}.jsonl" --output "$OUT/embedder-${run%%:*}" \
    --batch-size 16 --group-size 4 --epochs 1 --lr 5e-5 --query-max-len 32 --passage-max-len 96 --seed 1
done
t evaluate-embedders $BGE evaluate --model "$MODEL" --model "$OUT/embedder-infonce/final" --model "$OUT/embedder-kl/final" \
  --data "$OUT/test" --max-length 96 --output "$OUT/embedders.json"
