#!/usr/bin/env python
"""cw2v.distributed on a Dask LocalCluster against single-machine cw2v: quality, time, bytes moved, vocabulary.

Measures, in one run on one machine:

1. vocabulary counting of a plain-text corpus_file: single-machine cw2v in one process (``workers=1``; and
   ``workers=2`` threads, for reference) against :func:`cw2v.distributed.count_words` on a LocalCluster of
   2 worker processes (median of ``--vocab-repeat`` runs each, after a warm-up run; counts checked equal);
2. single-machine training: ``Word2Vec(corpus_file=..., workers=2)``, build_vocab and train timed apart;
3. distributed training on a LocalCluster of 2 worker processes x 1 thread, for each ``N:S[:hot_rows:hot_syncs]``
   of ``--runs`` (replicas, syncs per epoch, hot-row syncs): train time, analogy accuracy (``questions-words.txt``,
   ``restrict_vocab=30000``), and bytes moved per round: the payload the client sends (the weights) and each
   replica returns (changed rows), against the dense size of the changed matrices, plus what Dask's workers
   counted as sent (``transfer_outgoing_bytes_total``: results fetched by the client and copies between
   workers, the weights' broadcast among them).

With more replicas than the 2 cores, rounds queue: those runs measure quality, not speed.

    python bench/distributed.py --single-again        # 17M tokens, SG-NS, 5 epochs (long: 30-60 minutes)
    python bench/distributed.py --corpus ../shared/data/gutenberg-2m.txt.gz --runs 2:2,2:4:512:2 --epochs 1

The report (``--output``, Markdown) records the command, the CPU (lscpu), versions and load averages.
"""
from __future__ import annotations

import argparse
import datetime as _dt
import json
import os
import platform
import shlex
import shutil
import statistics
import sys
import tempfile
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent
REPO = HERE.parent
DATA = REPO.parent / "shared" / "data"
# _machine from this folder, which Dask's worker processes (they import this script again) start without
sys.path.insert(0, str(HERE))
from _machine import cpu_model, git_commit, plain_copy  # noqa: E402

# this script's folder comes first on sys.path, and its name would shadow the `distributed` package
sys.path[:] = [p for p in sys.path if Path(p or ".").resolve() != HERE]

#: N:S[:hot_rows:hot_syncs] of the distributed runs
DEFAULT_RUNS = "2:2,2:4,2:8,4:8,4:16,4:16:4096:4,8:16,8:8:4096:4,8:16:4096:4"


def _version(dist):
    from importlib.metadata import PackageNotFoundError, version
    try:
        return version(dist)
    except PackageNotFoundError:
        return "unknown"


def _analogy(model, questions):
    score, _ = model.wv.evaluate_word_analogies(str(questions), restrict_vocab=30000)
    return 100.0 * score


def _params(args):
    return dict(vector_size=args.vector_size, window=args.window, min_count=args.min_count, sample=args.sample,
                sg=1, hs=0, negative=args.negative, epochs=args.epochs, seed=args.seed)


def bench_vocab(args, plain, client):
    import cw2v.distributed as cd
    from cw2v import Word2Vec

    def single(workers):
        m = Word2Vec(workers=workers, min_count=args.min_count)
        t = time.perf_counter()
        m.scan_vocab(corpus_file=str(plain))
        return time.perf_counter() - t, m

    corpus = cd.Corpus(str(plain), blocksize=args.vocab_blocksize)

    def dist():
        t = time.perf_counter()
        counts, total, sentences = cd.count_words(corpus, client, timeout=600)
        return time.perf_counter() - t, (counts, total, sentences)

    single(1)
    dist()  # warm-up: page cache, imports in the workers
    one, two, many = [], [], []
    for _ in range(args.vocab_repeat):  # interleaved, so that a change of the machine's load hits all three
        one.append(single(1))
        two.append(single(2))
        many.append(dist())
    ref = one[0][1]
    counts, total, sentences = many[0][1]
    equal = (list(counts.items()) == list(ref.raw_vocab.items()) and total == ref.corpus_total_words
             and sentences == ref.corpus_count)
    out = {"one_process_s": statistics.median(t for t, _ in one),
           "two_threads_s": statistics.median(t for t, _ in two),
           "distributed_s": statistics.median(t for t, _ in many),
           "runs": {"one": [t for t, _ in one], "two": [t for t, _ in two], "distributed": [t for t, _ in many]},
           "blocks": corpus.n_blocks, "blocksize": corpus.blocksize, "equal": equal, "words": len(counts)}
    out["speedup_vs_one_process"] = out["one_process_s"] / out["distributed_s"]
    # the ratio within each interleaved round, then its median: robust to the machine's speed drifting
    out["pairwise_speedup_vs_one_process"] = statistics.median(a / b for (a, _), (b, _) in zip(one, many))
    # fastest against fastest (timeit's convention: the least disturbed run of each)
    out["best_speedup_vs_one_process"] = min(t for t, _ in one) / min(t for t, _ in many)
    out["speedup_vs_two_threads"] = out["two_threads_s"] / out["distributed_s"]
    print("vocab:", json.dumps({k: v for k, v in out.items() if k != "runs"}), flush=True)
    return out


def bench_single(args, plain, questions):
    from cw2v import Word2Vec
    m = Word2Vec(workers=2, **_params(args))
    load = os.getloadavg()[0]
    t = time.perf_counter()
    m.build_vocab(corpus_file=str(plain))
    t_vocab = time.perf_counter() - t
    t = time.perf_counter()
    m.train(corpus_file=str(plain), total_words=m.corpus_total_words, epochs=m.epochs)
    t_train = time.perf_counter() - t
    out = {"vocab_s": t_vocab, "train_s": t_train, "analogy": _analogy(m, questions), "vocab_size": len(m.wv),
           "words": m.corpus_total_words, "load": load}
    print("single:", json.dumps(out), flush=True)
    return out


def _sent_by_workers(client):
    return sum(client.run(lambda dask_worker: dask_worker.transfer_outgoing_bytes_total).values())


def bench_distributed(args, plain, questions, client, replicas, syncs, hot_rows=0, hot_syncs=1):
    import cw2v.distributed as cd
    from cw2v import Word2Vec
    corpus = cd.Corpus(str(plain), blocksize=args.blocksize)
    m = Word2Vec(workers=1, **_params(args))
    t = time.perf_counter()
    cd.build_vocab(m, corpus, client, timeout=3600)
    t_vocab = time.perf_counter() - t
    sent0 = _sent_by_workers(client)
    load = os.getloadavg()[0]
    t = time.perf_counter()
    stats = cd.train(m, corpus, client, n_workers=replicas, syncs_per_epoch=syncs, hot_rows=hot_rows,
                     hot_syncs=hot_syncs, timeout=3600)
    t_train = time.perf_counter() - t
    sent = _sent_by_workers(client) - sent0
    rounds = max(stats.rounds, 1)
    out = {"replicas": replicas, "syncs": syncs, "hot_rows": hot_rows, "hot_syncs": hot_syncs, "vocab_s": t_vocab,
           "train_s": t_train, "prepare_s": stats.prepare_seconds, "analogy": _analogy(m, questions),
           "rounds": stats.rounds, "dense_mb": stats.dense_bytes / 2 ** 20,
           "down_per_round_mb": stats.bytes_down / rounds / 2 ** 20,
           "up_per_round_mb": stats.bytes_up / rounds / 2 ** 20,
           "up_per_replica_max_ratio": stats.max_up_ratio,
           "hot_per_round_mb": stats.bytes_hot / rounds / 2 ** 20,
           "workers_sent_per_round_mb": sent / rounds / 2 ** 20,
           "median_round_s": statistics.median(stats.round_seconds) if stats.round_seconds else 0.0,
           "retries": stats.retries, "load": load, "alpha_scale": stats.alpha_scale,
           "overhead_per_round_s": statistics.median(r - k for r, k in zip(stats.round_seconds, stats.replica_seconds))
           if stats.round_seconds else 0.0}
    print("distributed:", json.dumps(out), flush=True)
    return out


def _report(args, machine, vocab, single, runs, timing=()):
    lines = ["# cw2v.distributed: Dask LocalCluster vs single-machine cw2v", "",
             "Command: `%s`" % machine["command"], "",
             "- Date: %s" % machine["date"],
             "- CPU: %s, %d cores (`nproc`); the machine was shared with other agents' work, so timings are "
             "indicative" % (machine["cpu"], machine["nproc"]),
             "- Load average at start / end: %s / %s" % (machine["load_start"], machine["load_end"]),
             "- Versions: Python %s, NumPy %s, Dask %s, distributed %s, cw2v %s (commit %s)"
             % (machine["python"], machine["numpy"], machine["dask"], machine["distributed"], machine["cw2v"],
                machine["commit"]),
             "- Corpus: `%s` (%s tokens), skip-gram + negative sampling, %d epochs, vector_size %d, window %d, "
             "min_count %d, sample %g, negative %d, seed %d; analogies `questions-words.txt` restricted to the "
             "30,000 most frequent words" % (args.corpus, "{:,}".format(single["words"]) if single else "?",
                                            args.epochs, args.vector_size, args.window, args.min_count, args.sample,
                                            args.negative, args.seed),
             "- Cluster: `LocalCluster(n_workers=2, threads_per_worker=1, processes=True)`; the client (averaging) "
             "in the benchmark's process; blocks of %s bytes" % args.blocksize, ""]
    if vocab:
        lines += ["## Vocabulary counting (plain-text corpus_file)", "",
                  "| counter | seconds (median of %d, interleaved) | speed-up |" % args.vocab_repeat,
                  "| --- | --- | --- |",
                  "| cw2v, one process (`workers=1`) | %.2f | 1.00x |" % vocab["one_process_s"],
                  "| cw2v, one process, 2 threads (`workers=2`) | %.2f | %.2fx |"
                  % (vocab["two_threads_s"], vocab["one_process_s"] / vocab["two_threads_s"]),
                  "| cw2v.distributed, 2 worker processes, %d blocks | %.2f | **%.2fx** |"
                  % (vocab["blocks"], vocab["distributed_s"], vocab["speedup_vs_one_process"]), "",
                  "Speed-up of the distributed count over one process, taken within each interleaved round "
                  "(one process, 2 threads, distributed), median of the %d rounds: **%.2fx** (rounds: %s)."
                  % (args.vocab_repeat, vocab["pairwise_speedup_vs_one_process"],
                     ", ".join("%.2f" % (a / b) for a, b in zip(vocab["runs"]["one"], vocab["runs"]["distributed"]))),
                  "Fastest run against fastest run: %.2f s / %.2f s = %.2fx (2 threads: %.2fx)."
                  % (min(vocab["runs"]["one"]), min(vocab["runs"]["distributed"]), vocab["best_speedup_vs_one_process"],
                     min(vocab["runs"]["one"]) / min(vocab["runs"]["two"])),
                  "",
                  "Counts, order and totals equal to the single-machine scan: %s (%d words)."
                  % ("yes" if vocab["equal"] else "NO", vocab["words"]), ""]
    if single:
        ref = single["train_s"]
        lines += ["## Training", "",
                  "Single machine, `Word2Vec(corpus_file=..., workers=2)`: build_vocab %.1f s, train **%.1f s** "
                  "(load average %.1f at its start), analogy **%.2f%%**, %d words in the vocabulary."
                  % (single["vocab_s"], ref, single["load"], single["analogy"], single["vocab_size"])]
        if "again" in single:
            again = single["again"]
            lines += ["The same run after the distributed ones: train %.1f s (load %.1f), analogy %.2f%%. Ratios "
                      "below are to the first." % (again["train_s"], again["load"], again["analogy"])]
        lines += [] if not runs else [
                  "", "| N | S | hot rows x syncs | alpha x | train s (of which prep) | vs single | load | analogy % "
                  "| vs single | median round s (distributing) | MB/round down / up / hot / Dask-measured "
                  "| largest change / dense |",
                  "| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |"]
        for r in runs:
            lines.append("| %d | %d | %s | %g | %.1f (%.1f) | %.2fx | %.1f | %.2f | %+.2f | %.2f (%.2f) "
                         "| %.1f / %.1f / %.1f / %.1f | %.4f |"
                         % (r["replicas"], r["syncs"],
                            "%d x %d" % (r["hot_rows"], r["hot_syncs"]) if r["hot_rows"] else "-", r["alpha_scale"],
                            r["train_s"], r["prepare_s"], r["train_s"] / ref, r["load"], r["analogy"],
                            r["analogy"] - single["analogy"], r["median_round_s"], r["overhead_per_round_s"],
                            r["down_per_round_mb"], r["up_per_round_mb"], r["hot_per_round_mb"],
                            r["workers_sent_per_round_mb"], r["up_per_replica_max_ratio"]))
        if runs:
            lines += ["", "N replicas, S syncs (rounds) per epoch; `alpha x`: the replicas' learning-rate factor "
                      "(`alpha_scale='auto'`). `distributing`: the median round's wall time minus its slowest "
                      "replica's time in the training kernels. Dense size of the changed matrices (`wv.vectors` + "
                      "`syn1neg`): %.1f MB. `down`: what the client sends per round (the weights, once; Dask "
                      "copies them to the other worker); `up`: the replicas' changed rows, summed over replicas; "
                      "`Dask-measured`: what the workers counted as sent (the results the client fetched plus "
                      "the copies between workers); `largest change / dense`: the largest change one replica "
                      "returned in one round, over the dense size." % runs[0]["dense_mb"]]
    if timing:
        names = [k for k in timing[0] if k != "single"]
        lines += ["", "## Timing, interleaved", "",
                  "%d rounds of: single-machine training (`workers=2`), then distributed training for each N:S "
                  "below, back to back, so that the load of the shared machine weighs on both alike. Train "
                  "seconds (%d epochs; the distributed ones include reading and encoding the corpus):"
                  % (len(timing), args.epochs), "",
                  "| round | single | %s | %s |" % (" | ".join("N:S %s" % n for n in names),
                                                    " | ".join("%s / single" % n for n in names)),
                  "| --- | --- | %s |" % " | ".join(["---"] * 2 * len(names))]
        for i, t in enumerate(timing):
            lines.append("| %d | %.1f | %s | %s |" % (i + 1, t["single"], " | ".join("%.1f" % t[n] for n in names),
                                                      " | ".join("%.2fx" % (t[n] / t["single"]) for n in names)))
        med = {k: statistics.median(t[k] for t in timing) for k in timing[0]}
        lines.append("| median | %.1f | %s | %s |" % (med["single"], " | ".join("%.1f" % med[n] for n in names),
                                                        " | ".join("**%.2fx**" % statistics.median(
                                                            t[n] / t["single"] for t in timing) for n in names)))
    return "\n".join(lines) + "\n"


def main(argv=None):
    p = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    p.add_argument("--corpus", default=str(DATA / "gutenberg-17m.txt.gz"))
    p.add_argument("--questions", default=str(DATA / "questions-words.txt"))
    p.add_argument("--epochs", type=int, default=5)
    p.add_argument("--runs", default=DEFAULT_RUNS,
                   help="distributed runs, comma separated: N:S (replicas, syncs per epoch) or N:S:HOT_ROWS:HOT_SYNCS")
    p.add_argument("--vector-size", type=int, default=100)
    p.add_argument("--window", type=int, default=5)
    p.add_argument("--min-count", type=int, default=5)
    p.add_argument("--sample", type=float, default=1e-3)
    p.add_argument("--negative", type=int, default=5)
    p.add_argument("--seed", type=int, default=1)
    p.add_argument("--blocksize", default="32 MiB", help="Dask block size for training")
    p.add_argument("--vocab-blocksize", default="40 MiB",
                   help="Dask block size for the vocabulary benchmark (40 MiB: 2 blocks of the 17M corpus)")
    p.add_argument("--vocab-repeat", type=int, default=5)
    p.add_argument("--skip-vocab", action="store_true")
    p.add_argument("--skip-train", action="store_true")
    p.add_argument("--timing-repeat", type=int, default=0,
                   help="then K rounds of: the single-machine run and each of --timing-runs, back to back (timing)")
    p.add_argument("--timing-runs", default="2:4,2:8", help="N:S of the timed distributed runs")
    p.add_argument("--single-again", action="store_true",
                   help="train the single-machine model again after the distributed runs (load drift)")
    p.add_argument("--tmp-dir", default=None)
    p.add_argument("--output", default=str(HERE / "results" / "distributed.md"))
    p.add_argument("--json", default=None)
    args = p.parse_args(argv)

    import dask
    import distributed
    import numpy as np

    import cw2v
    machine = {"command": "python " + " ".join(shlex.quote(a) for a in [os.path.relpath(__file__, os.getcwd())]
                                                + sys.argv[1:]),
               "date": _dt.datetime.now().isoformat(timespec="seconds"), "cpu": cpu_model(),
               "nproc": os.cpu_count(), "load_start": "%.2f %.2f %.2f" % os.getloadavg(),
               "python": platform.python_version(), "numpy": np.__version__, "dask": dask.__version__,
               "distributed": _version("distributed"), "cw2v": cw2v.__version__, "commit": git_commit(REPO)}
    tmp = tempfile.mkdtemp(prefix="cw2v-bench-dist-", dir=args.tmp_dir)
    vocab = single = None
    runs, timing = [], []
    try:
        plain = plain_copy(args.corpus, tmp)
        if not args.skip_train:
            single = bench_single(args, plain, args.questions)  # before the cluster exists
        cluster = distributed.LocalCluster(n_workers=2, threads_per_worker=1, processes=True,
                                           dashboard_address=":0")
        client = distributed.Client(cluster)
        try:
            if not args.skip_vocab:
                vocab = bench_vocab(args, plain, client)
            if not args.skip_train:
                for spec in [x for x in args.runs.split(",") if x]:
                    n, s, rows, hs = ([int(v) for v in spec.split(":")] + [0, 1])[:4]
                    runs.append(bench_distributed(args, plain, args.questions, client, n, s, rows, hs))
                specs = [[int(v) for v in x.split(":")] for x in args.timing_runs.split(",") if x]
                for _ in range(args.timing_repeat):  # the single-machine run shares the machine with idle workers
                    timing.append({"single": bench_single(args, plain, args.questions)["train_s"]})
                    for n, s in specs:
                        timing[-1]["%d:%d" % (n, s)] = bench_distributed(args, plain, args.questions, client, n,
                                                                         s)["train_s"]
        finally:
            client.close()
            cluster.close()
        if not args.skip_train and args.single_again:
            single["again"] = bench_single(args, plain, args.questions)  # load drift: the same run at the end
    finally:
        shutil.rmtree(tmp, ignore_errors=True)
    machine["load_end"] = "%.2f %.2f %.2f" % os.getloadavg()
    text = _report(args, machine, vocab, single, runs, timing)
    Path(args.output).parent.mkdir(parents=True, exist_ok=True)
    Path(args.output).write_text(text, encoding="utf-8")
    if args.json:
        Path(args.json).write_text(json.dumps({"machine": machine, "vocab": vocab, "single": single, "runs": runs,
                                               "timing": timing}, indent=2), encoding="utf-8")
    print(text)


if __name__ == "__main__":
    main()
