#!/usr/bin/python3
"""cluster_eval.py - precision and recall of a clustering against the
wallet membership that `cointrail synth` wrote in truth.json.

usage: cluster_eval.py TRUTH.json CLUSTERS.csv [--min-precision P]

Counted over pairs of addresses (the usual measure for entity
resolution): a pair is predicted when both addresses share a cluster, true
when both belong to one wallet. Only addresses present in both files count.
Prints one line and, with --min-precision, fails below it.
"""
import csv
import json
import sys
from collections import Counter

truth_path, clusters_path = sys.argv[1], sys.argv[2]
min_p = float(sys.argv[sys.argv.index("--min-precision") + 1]) if "--min-precision" in sys.argv else None
truth = json.load(open(truth_path))
wallet = {}
for w in truth["wallets"]:
    for a in w["addresses"]:
        wallet[a] = w["name"]
cluster = {}
with open(clusters_path) as f:
    for row in csv.DictReader(f):
        if row["address"] in wallet:
            cluster[row["address"]] = row["cluster"]


def pairs(counter):
    return sum(n * (n - 1) // 2 for n in counter.values())


both = Counter((cluster[a], wallet[a]) for a in cluster)
tp = pairs(both)
pred = pairs(Counter(cluster.values()))
true = pairs(Counter(wallet[a] for a in cluster))
precision = tp / pred if pred else 1.0
recall = tp / true if true else 1.0
n_clusters = len(set(cluster.values()))
print(f"cluster_eval: {len(cluster)} addresses, {n_clusters} clusters, {len(set(wallet[a] for a in cluster))} wallets; "
      f"pairs: predicted {pred}, true {true}, correct {tp}; precision {precision:.6f}, recall {recall:.6f}")
if min_p is not None and precision < min_p:
    print(f"precision {precision:.6f} below {min_p}")
    sys.exit(1)
