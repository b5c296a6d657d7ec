#!/usr/bin/env python3
"""Independent re-implementation of trec_eval 9.x measure definitions, for checking
src/eval against (dev-time only; CI never runs Python: its outputs are committed).

Follows trec_eval's C code structure rather than src/eval's:
  * form_res_rels.c: run sorted by sim descending, ties by docno descending in byte
    order (strcmp on UTF-8); qrels rel levels counted per level; rel >= 1 is relevant.
  * m_ndcg_cut.c: DCG sums rel / log2(rank + 1) over retrieved docs with rel > 0; ideal
    DCG walks the rel levels from the highest down (gain = level).
  * m_recall.c, m_P.c, m_map.c, m_map_cut.c, recip_rank (cut at k here, i.e. MRR@k).
Queries evaluated: every query in the qrels (a query absent from the run scores 0, as
with trec_eval -c).

Usage:
  trec_eval_ref.py QRELS_TSV RUN_TREC K[,K...] > out.json     # per-query + means
  trec_eval_ref.py --generate DIR SEED                       # random qrels + run fixture
"""
import json
import math
import random
import sys


def read_qrels(path):
    qrels = {}
    with open(path, encoding="utf-8") as f:
        header = f.readline().rstrip("\r\n").split("\t")
        assert header == ["query-id", "corpus-id", "score"], header
        for line in f:
            line = line.rstrip("\r\n")
            if not line.strip():
                continue
            q, d, s = line.split("\t")
            judged = qrels.setdefault(q, {})
            assert d not in judged, ("duplicate qrels", q, d)
            judged[d] = int(s)
    return qrels


def read_run(path):
    run = {}
    with open(path, encoding="utf-8") as f:
        for line in f:
            parts = line.split()
            if not parts:
                continue
            q, _q0, d, _rank, sim, _tag = parts
            run.setdefault(q, []).append((d, float(sim)))
    return run


def ranked_rels(hits, judged):
    # comp_sim_docno: sim descending, then strcmp(p2, p1) i.e. docno descending (bytes).
    order = sorted(hits, key=lambda h: (h[1], h[0].encode("utf-8")), reverse=True)
    return [judged.get(d, -1) for d, _ in order]  # -1 ~ RELVALUE_NONPOOL


def measures(rels, judged, cutoffs):
    levels = {}
    for r in judged.values():
        if r >= 0:
            levels[r] = levels.get(r, 0) + 1
    num_rel = sum(c for lvl, c in levels.items() if lvl >= 1)
    out = {}
    # ndcg_cut
    for k in cutoffs:
        dcg = sum(r / math.log2(i + 2) for i, r in enumerate(rels[:k]) if r > 0)
        ideal = 0.0
        i = 0
        for lvl in sorted((l for l in levels if l > 0), reverse=True):
            for _ in range(levels[lvl]):
                if i >= k:
                    break
                ideal += lvl / math.log2(i + 2)
                i += 1
        out["ndcg@%d" % k] = dcg / ideal if ideal > 0 else 0.0
    for k in cutoffs:
        rel_ret = sum(1 for r in rels[:k] if r >= 1)
        out["recall@%d" % k] = rel_ret / num_rel if num_rel else 0.0
        out["precision@%d" % k] = rel_ret / k
        rr = 0.0
        for i, r in enumerate(rels[:k]):
            if r >= 1:
                rr = 1.0 / (i + 1)
                break
        out["mrr@%d" % k] = rr
    def ap(limit):
        if num_rel == 0:
            return 0.0
        so_far, total = 0, 0.0
        for i, r in enumerate(rels[:limit]):
            if r >= 1:
                so_far += 1
                total += so_far / (i + 1)
        return total / num_rel
    for k in cutoffs:
        out["map@%d" % k] = ap(k)
    out["map"] = ap(len(rels))
    return out


def evaluate(qrels_path, run_path, cutoffs):
    qrels = read_qrels(qrels_path)
    run = read_run(run_path)
    per_query = {q: measures(ranked_rels(run.get(q, []), judged), judged, cutoffs) for q, judged in qrels.items()}
    keys = next(iter(per_query.values())).keys()
    means = {k: sum(v[k] for v in per_query.values()) / len(per_query) for k in keys}
    return {"metrics": means, "perQuery": per_query}


def generate(out_dir, seed):
    rnd = random.Random(seed)
    ids = ["d%02d" % i for i in range(40)] + ["é1", "ü2", "\U0001F600x", "\uff61y", "Z9", "a-b"]
    qrels_lines = ["query-id\tcorpus-id\tscore"]
    run_lines = []
    for qi in range(60):
        q = "q%d" % qi
        judged = rnd.sample(ids, rnd.randint(1, 8))
        for d in judged:
            qrels_lines.append("%s\t%s\t%d" % (q, d, rnd.choice([0, 1, 1, 2, 3])))
        if qi % 17 == 5:
            continue  # query missing from the run
        retrieved = set(rnd.sample(ids, rnd.randint(0, 25))) | {d for d in judged if rnd.random() < 0.6}
        for rank, d in enumerate(sorted(retrieved)):
            score = rnd.choice([1.0, 2.0, 2.5, 3.0]) if qi % 3 == 0 else round(rnd.random() * 10, 3)
            run_lines.append("%s Q0 %s %d %s ref" % (q, d, rank + 1, repr(score)))
    with open(out_dir + "/qrels.tsv", "w", encoding="utf-8") as f:
        f.write("\n".join(qrels_lines) + "\n")
    with open(out_dir + "/run.trec", "w", encoding="utf-8") as f:
        f.write("\n".join(run_lines) + "\n")


if __name__ == "__main__":
    if sys.argv[1] == "--generate":
        generate(sys.argv[2], int(sys.argv[3]))
    else:
        cutoffs = [int(x) for x in sys.argv[3].split(",")]
        json.dump(evaluate(sys.argv[1], sys.argv[2], cutoffs), sys.stdout, indent=1, sort_keys=True, ensure_ascii=False)
        sys.stdout.write("\n")
