#!/usr/bin/env python3
"""Compares two dtp eval output directories: the same answers, in the same order, no duplicate lines."""
import json
import sys


def load(d):
    with open(f"{d}/predictions.jsonl") as f:
        return [json.loads(line) for line in f if line.strip()]


def key(r):
    return (r["policy"], r["id"], r["prediction"], r["macs"])


a, b = load(sys.argv[1]), load(sys.argv[2])
same_order = [key(r) for r in a] == [key(r) for r in b]
differing = len(set(map(key, a)) ^ set(map(key, b))) // 2
duplicates = len(b) - len({(r["policy"], r["id"]) for r in b})
with open(f"{sys.argv[1]}/results.csv") as x, open(f"{sys.argv[2]}/results.csv") as y:
    csv = x.read() == y.read()
print(f"lines {len(a)} vs {len(b)}; same answers in the same order: {same_order}; differing answers: {differing}; "
      f"duplicate lines: {duplicates}; results.csv identical: {csv}")
sys.exit(0 if same_order and duplicates == 0 and csv else 1)
