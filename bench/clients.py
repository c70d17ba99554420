"""Graph-embedding packages that call gensim's Word2Vec, run unedited on gensim and on cw2v: quality and time.

For each client (node2vec, karateclub's walk-based models, pecanpy's PreComp and SparseOTF) this trains the same
pipeline twice on the same graphs with the same seeds: once with gensim 4.4.0 as installed, once with gensim's
names switched to cw2v's by ``cw2v.patch_gensim()`` before the client is imported. Each (client, library) pair runs
in its own fresh subprocess, one after another, so the two libraries never share a process or run at the same time;
the gensim child never imports cw2v.

For every embedding it reports:

- ``comm@10``: the fraction of each node's 10 nearest embedding neighbours (cosine) in the node's own community
  (planted blocks for the partition graph, the two clubs for Zachary's karate club, Louvain communities, computed
  once with a fixed seed, for the Barabasi-Albert graph, which has no planted ones);
- ``cos nb`` / ``cos non``: the mean cosine between the two ends of every edge, and of as many random node pairs
  that are not edges (one fixed sample per graph), and ``AUC``: how often an edge's cosine beats a non-edge's
  (ROC AUC of the cosine as an edge score);
- ``acc``: node-classification accuracy of a logistic regression on the embeddings (labels as for comm@10) with
  one fixed stratified 50/50 split;
- ``w2v s``: seconds spent inside ``Word2Vec(...)`` (vocabulary + training; summed over the models a client
  trains, e.g. one per scale in Walklets), and ``fit s``: the client's whole fit call (walks + Word2Vec).

Times are informative only: the machine this was written on has 2 cores shared with other work.

The clients are not cw2v's dependencies and this script is not part of ``pytest tests``. Set up a separate
environment as bench/README.md describes ("Graph-embedding clients"), then, from the repository root::

    CLIENTS_VENV/bin/python bench/clients.py --json bench/results/clients.json    # writes bench/results/clients.md
    CLIENTS_VENV/bin/python bench/clients.py --graphs karate --clients node2vec --repeats 1 --output /tmp/x.md
"""
from __future__ import annotations

import argparse
import json
import os
import platform
import shlex
import statistics
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
ROOT = os.path.dirname(HERE)

#: graph name -> (walks per node, walk length, repeats by default); the same walk settings for every client
GRAPHS = {
    "karate": (20, 40, 3),
    "partition": (10, 40, 2),
    "ba": (5, 40, 1),
}
#: client family -> the models it runs (one subprocess per family and library)
CLIENTS = {
    "node2vec": ["node2vec"],
    "karateclub": ["DeepWalk", "Walklets", "Node2Vec", "Diff2Vec", "SINE"],
    "pecanpy": ["PreComp", "SparseOTF"],
}
DIM = 64
P, Q = 1.0, 0.5          # node2vec return / in-out parameters for the three node2vec implementations
WORKERS = 2              # Word2Vec threads (and pecanpy's walk threads)
METRICS = ("comm10", "cos_nb", "cos_non", "auc", "acc", "w2v_s", "fit_s")


# ----------------------------------------------------------------------------------------------------------------
# graphs and metrics (run in the children; deterministic, so both libraries see identical graphs and samples)

def make_graph(name):
    """(graph with nodes 0..n-1, community label of each node, description)."""
    import networkx as nx
    import numpy as np
    if name == "karate":
        g = nx.karate_club_graph()
        labels = np.array([0 if g.nodes[n]["club"] == "Mr. Hi" else 1 for n in range(len(g))])
        return nx.Graph(g.edges()), labels, "Zachary's karate club (34 nodes, 78 edges; labels: the two clubs)"
    if name == "partition":
        g = nx.planted_partition_graph(8, 50, 0.16, 0.012, seed=7)
        labels = np.array([g.nodes[n]["block"] for n in range(len(g))])
        desc = "planted partition, 8 blocks x 50 nodes, p_in 0.16, p_out 0.012, seed 7"
    elif name == "ba":
        g = nx.barabasi_albert_graph(2000, 3, seed=7)
        labels = None
        desc = "Barabasi-Albert, 2000 nodes, m=3, seed 7 (labels: Louvain communities, seed 0)"
    else:
        raise ValueError("unknown graph %r" % name)
    # karateclub wants a connected graph indexed 0..n-1: keep the largest component, renumbered
    keep = sorted(max(nx.connected_components(g), key=len))
    if labels is not None:
        labels = labels[keep]
    g = nx.convert_node_labels_to_integers(g.subgraph(keep), ordering="sorted")
    g = nx.Graph(g.edges())
    g.add_nodes_from(range(len(keep)))
    if labels is None:
        comms = nx.community.louvain_communities(g, seed=0)
        labels = np.empty(len(g), dtype=int)
        for c, members in enumerate(sorted(comms, key=min)):
            labels[list(members)] = c
    desc += "; %d nodes, %d edges, %d classes" % (g.number_of_nodes(), g.number_of_edges(), len(set(labels)))
    return g, labels, desc


def non_edges(g, count, seed=12345):
    import numpy as np
    rng = np.random.default_rng(seed)
    n, out = g.number_of_nodes(), set()
    while len(out) < count:
        u, v = (int(x) for x in rng.integers(0, n, 2))
        if u != v and not g.has_edge(u, v):
            out.add((min(u, v), max(u, v)))
    return sorted(out)


def quality(emb, g, labels, negatives):
    import numpy as np
    from sklearn.linear_model import LogisticRegression
    from sklearn.metrics import roc_auc_score
    from sklearn.model_selection import train_test_split
    e = np.asarray(emb, dtype=np.float64)
    unit = e / np.maximum(np.linalg.norm(e, axis=1, keepdims=True), 1e-12)
    sim = unit @ unit.T
    np.fill_diagonal(sim, -np.inf)
    top = np.argsort(-sim, axis=1)[:, :10]
    comm10 = float(np.mean(labels[top] == labels[:, None]))
    edges = np.array(list(g.edges()))
    neg = np.array(negatives)
    cos_nb = np.sum(unit[edges[:, 0]] * unit[edges[:, 1]], axis=1)
    cos_non = np.sum(unit[neg[:, 0]] * unit[neg[:, 1]], axis=1)
    auc = roc_auc_score(np.r_[np.ones(len(cos_nb)), np.zeros(len(cos_non))], np.r_[cos_nb, cos_non])
    idx = np.arange(len(labels))
    counts = np.bincount(labels)
    strat = labels if counts[counts > 0].min() >= 2 else None
    tr, te = train_test_split(idx, test_size=0.5, random_state=0, stratify=strat)
    clf = LogisticRegression(max_iter=3000).fit(e[tr], labels[tr])
    acc = float(np.mean(clf.predict(e[te]) == labels[te]))
    return {"comm10": comm10, "cos_nb": float(cos_nb.mean()), "cos_non": float(cos_non.mean()), "auc": float(auc),
            "acc": acc}


# ----------------------------------------------------------------------------------------------------------------
# the clients, called exactly as their documentation shows

def run_node2vec(model, g, n_walks, walk_len, seed):
    from node2vec import Node2Vec
    n2v = Node2Vec(g, dimensions=DIM, walk_length=walk_len, num_walks=n_walks, p=P, q=Q, workers=1, quiet=True,
                   seed=seed)
    w2v = n2v.fit(window=10, min_count=1, batch_words=4, workers=WORKERS)   # node2vec's README settings
    return [w2v.wv[str(n)] for n in range(g.number_of_nodes())], type(w2v)


def run_karateclub(model, g, n_walks, walk_len, seed):
    import karateclub
    import numpy as np
    from scipy.sparse import coo_matrix
    common = dict(workers=WORKERS, seed=seed)
    n = g.number_of_nodes()
    if model == "DeepWalk":
        m = karateclub.DeepWalk(walk_number=n_walks, walk_length=walk_len, dimensions=DIM, **common)
    elif model == "Walklets":   # one model per scale, dimensions each: 4 x 16 = 64 columns
        m = karateclub.Walklets(walk_number=n_walks, walk_length=walk_len, dimensions=DIM // 4, window_size=4, **common)
    elif model == "Node2Vec":
        m = karateclub.Node2Vec(walk_number=n_walks, walk_length=walk_len, p=P, q=Q, dimensions=DIM, **common)
    elif model == "Diff2Vec":
        m = karateclub.Diff2Vec(diffusion_number=n_walks, diffusion_cover=min(walk_len, n), dimensions=DIM, **common)
    elif model == "SINE":       # node attributes: random sparse binary features (no label information), fixed
        rng = np.random.default_rng(99)
        rows, cols = np.nonzero(rng.random((n, 32)) < 0.1)
        x = coo_matrix((np.ones(len(rows)), (rows, cols)), shape=(n, 32))
        m = karateclub.SINE(walk_number=n_walks, walk_length=walk_len, dimensions=DIM, **common)
        m.fit(g, x)
        return m.get_embedding(), None
    else:
        raise ValueError(model)
    m.fit(g)
    return m.get_embedding(), None


def run_pecanpy(model, g, n_walks, walk_len, seed):
    import networkx as nx
    from pecanpy import pecanpy
    adj = nx.to_numpy_array(g, nodelist=range(g.number_of_nodes()), dtype="float32")
    cls = {"PreComp": pecanpy.PreComp, "SparseOTF": pecanpy.SparseOTF}[model]
    pg = cls.from_mat(adj, [str(i) for i in range(len(adj))], p=P, q=Q, workers=WORKERS, random_state=seed)
    return pg.embed(dim=DIM, num_walks=n_walks, walk_length=walk_len, window_size=10, epochs=1), None


RUNNERS = {"node2vec": run_node2vec, "karateclub": run_karateclub, "pecanpy": run_pecanpy}
#: gensim; cw2v through patch_gensim() (block updates); cw2v through patch_gensim(batched=False)
LIBS = ("gensim", "cw2v", "cw2v-per-pair")


def child(args):
    """One library, one client family: every graph, model and repeat; one JSON object per line on stdout."""
    if args.lib.startswith("cw2v"):   # cw2v-per-pair: patch_gensim(batched=False), gensim's per-pair updates
        import cw2v
        cw2v.patch_gensim(batched=False if args.lib == "cw2v-per-pair" else None)
    import logging
    logging.getLogger("cw2v").setLevel(logging.ERROR)   # client settings such as hs=1 + negative=5 warn each run
    import gensim.models.word2vec as gw
    import numpy as np
    w2v_cls = gw.Word2Vec
    if (w2v_cls.__module__.split(".")[0]) != args.lib.split("-")[0]:
        raise SystemExit("child for %s got %s.%s" % (args.lib, w2v_cls.__module__, w2v_cls.__name__))
    spent = []
    original_init = w2v_cls.__init__

    def timed_init(self, *a, **k):   # time each Word2Vec(...) the client makes (vocabulary + training)
        t0 = time.perf_counter()
        try:
            return original_init(self, *a, **k)
        finally:
            spent.append(time.perf_counter() - t0)

    w2v_cls.__init__ = timed_init
    runner = RUNNERS[args.client]
    __import__({"node2vec": "node2vec", "karateclub": "karateclub", "pecanpy": "pecanpy.pecanpy"}[args.client])
    if args.lib.startswith("cw2v"):   # the client module's own reference is cw2v's class
        import cw2v
        assert gw.Word2Vec is cw2v.Word2Vec
    for gname in args.graphs.split(","):
        g, labels, desc = make_graph(gname)
        n_walks, walk_len, default_repeats = GRAPHS[gname]
        repeats = args.repeats or default_repeats
        negatives = non_edges(g, g.number_of_edges())
        for model in args.models.split(","):
            for rep in range(repeats):
                seed = 1000 + rep
                spent.clear()
                t0 = time.perf_counter()
                emb, model_cls = runner(model, g, n_walks, walk_len, seed)
                fit_s = time.perf_counter() - t0
                emb = np.asarray(emb)
                if emb.shape[0] != g.number_of_nodes() or not np.isfinite(emb).all():
                    raise SystemExit("bad embedding %s from %s/%s" % (emb.shape, args.client, model))
                row = {"lib": args.lib, "client": args.client, "model": model, "graph": gname, "graph_desc": desc,
                       "repeat": rep, "seed": seed, "w2v_calls": len(spent), "w2v_s": sum(spent), "fit_s": fit_s,
                       "dim": int(emb.shape[1])}
                row.update(quality(emb, g, labels, negatives))
                if model_cls is not None:
                    row["model_class"] = "%s.%s" % (model_cls.__module__, model_cls.__name__)
                print(json.dumps(row), flush=True)
    if args.lib == "gensim" and "cw2v" in sys.modules:
        raise SystemExit("the gensim child imported cw2v")
    print(json.dumps({"versions": versions()}), flush=True)


def versions():
    from importlib import metadata
    out = {"python": platform.python_version()}
    if "cw2v" in sys.modules:
        out["cw2v imported from"] = os.path.dirname(sys.modules["cw2v"].__file__)
    for dist in ("cw2v", "gensim", "numpy", "scipy", "networkx", "scikit-learn", "node2vec", "karateclub", "pecanpy",
                 "numba"):
        try:
            out[dist] = metadata.version(dist)
        except metadata.PackageNotFoundError:
            out[dist] = None
    return out


# ----------------------------------------------------------------------------------------------------------------
# parent: run the children, aggregate, print and write the report

def cpu_model():
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=True).stdout
        for line in out.splitlines():
            if line.startswith("Model name:"):
                return line.split(":", 1)[1].strip()
    except (OSError, subprocess.CalledProcessError):
        pass
    return platform.processor() or "unknown"


def git_state():
    """The commit of the checkout the children import cw2v from, and whether cw2v/ has uncommitted changes."""
    try:
        sha = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True,
                             check=True).stdout.strip()
        dirty = subprocess.run(["git", "status", "--porcelain", "--", "cw2v", "src_c", "setup.py"], cwd=ROOT,
                               capture_output=True, text=True, check=True).stdout.split("\n")
    except (OSError, subprocess.CalledProcessError):
        return "not a git checkout"
    dirty = [line[3:] for line in dirty if line.strip()]
    return "commit `%s`%s" % (sha[:12], (", with uncommitted changes in " + ", ".join("`%s`" % d for d in dirty))
                             if dirty else "")


def fmt(values, digits=3):
    if not values:
        return "-"
    m = statistics.mean(values)
    if len(values) == 1:
        return "%.*f" % (digits, m)
    return "%.*f ± %.*f" % (digits, m, digits, statistics.stdev(values))


def table(rows, graphs):
    """Markdown table: one line per (graph, client model, library), mean ± sd over repeats."""
    head = ("| graph | client / model | lib | n | comm@10 | cos nb | cos non | AUC | acc | w2v s | fit s "
            "| w2v speed-up |")
    lines = [head, "|" + "|".join(["---"] * 12) + "|"]
    keys = []
    for r in rows:
        k = (r["graph"], r["client"], r["model"])
        if k not in keys:
            keys.append(k)
    keys.sort(key=lambda k: (graphs.index(k[0]), list(CLIENTS).index(k[1]), CLIENTS[k[1]].index(k[2])))
    for graph, client, model in keys:
        med = {}
        for lib in LIBS:
            sel = [r for r in rows if (r["graph"], r["client"], r["model"], r["lib"]) == (graph, client, model, lib)]
            if sel:
                med[lib] = statistics.median(r["w2v_s"] for r in sel)
        for lib in LIBS:
            sel = [r for r in rows if (r["graph"], r["client"], r["model"], r["lib"]) == (graph, client, model, lib)]
            if not sel:
                continue
            name = client if client == model else "%s %s" % (client, model)
            speed = ("%.2f×" % (med["gensim"] / med[lib]) if lib != "gensim" and "gensim" in med and med[lib] > 0
                     else "")
            lines.append("| %s | %s | %s | %d | %s | %s | %s | %s | %s | %s | %s | %s |" % (
                graph, name, lib, len(sel), fmt([r["comm10"] for r in sel]), fmt([r["cos_nb"] for r in sel]),
                fmt([r["cos_non"] for r in sel]), fmt([r["auc"] for r in sel]), fmt([r["acc"] for r in sel]),
                fmt([r["w2v_s"] for r in sel], 2), fmt([r["fit_s"] for r in sel], 2), speed))
    return "\n".join(lines)


def parent(args):
    graphs = args.graphs.split(",")
    families = args.clients.split(",")
    for f in families:
        if f not in CLIENTS:
            raise SystemExit("unknown client %r (choose from %s)" % (f, ",".join(CLIENTS)))
    for gname in graphs:
        if gname not in GRAPHS:
            raise SystemExit("unknown graph %r (choose from %s)" % (gname, ",".join(GRAPHS)))
    started = time.time()
    load_start = os.getloadavg()
    rows, vers, failures = [], {}, []
    env = dict(os.environ, PYTHONHASHSEED="0")
    for family in families:
        for lib in args.libs.split(","):
            cmd = [sys.executable, os.path.abspath(__file__), "--child", "--lib", lib, "--client", family,
                   "--graphs", ",".join(graphs), "--models", ",".join(CLIENTS[family])]
            if args.repeats:
                cmd += ["--repeats", str(args.repeats)]
            t0 = time.perf_counter()
            proc = subprocess.run(cmd, capture_output=True, text=True, env=env, cwd="/tmp", timeout=args.timeout)
            took = time.perf_counter() - t0
            got = 0
            for line in proc.stdout.splitlines():
                if not line.startswith("{"):
                    continue
                obj = json.loads(line)
                if "versions" in obj:
                    vers[lib] = obj["versions"]
                else:
                    rows.append(obj)
                    got += 1
            print("%-10s %-6s %3d runs in %5.1fs%s" % (family, lib, got, took,
                                                        "" if proc.returncode == 0 else "  FAILED"), flush=True)
            if proc.returncode != 0:
                failures.append((family, lib, proc.returncode, proc.stderr[-3000:]))
                print(proc.stderr[-3000:], file=sys.stderr)
    elapsed = time.time() - started
    md = table(rows, graphs)
    print()
    print(md)
    descs = {}
    for r in rows:
        descs.setdefault(r["graph"], r["graph_desc"])
    classes = sorted({r.get("model_class") for r in rows if r.get("model_class")})
    cmdline = " ".join(shlex.quote(a) for a in [sys.executable, os.path.relpath(os.path.abspath(__file__), ROOT)]
                       + sys.argv[1:])
    report = [
        "# Graph-embedding clients on gensim 4.4.0 and on cw2v (through `cw2v.patch_gensim()`)",
        "",
        "Generated by `bench/clients.py` on %s in %.0f s." % (time.strftime("%Y-%m-%d %H:%M", time.localtime(started)),
                                                             elapsed),
        "",
        "Command (from the repository root): `%s`" % cmdline,
        "",
        "cw2v source: %s." % git_state(),
        "",
        "Machine: %s, %d cores (`nproc`), load average %.2f at the start, %.2f at the end. **Times were taken on a "
        "shared 2-core machine and are informative only**; the quality columns are what this compares." % (
            cpu_model(), os.cpu_count() or 0, load_start[0], os.getloadavg()[0]),
        "",
        "Each client package is called unedited, as its documentation shows; `cw2v` rows ran with "
        "`cw2v.patch_gensim()` called before the client was imported (`cw2v-per-pair` rows: "
        "`cw2v.patch_gensim(batched=False)`, as `python -m cw2v.patch --per-pair` does; classes seen: %s). "
        "One subprocess per "
        "(client, library), run one after another. Same graphs, same walk settings and the same seeds "
        "(1000 + repeat) for both libraries; Word2Vec with %d worker threads, so neither library is "
        "deterministic run to run. Columns: mean ± sd over the repeats." % (
            ", ".join("`%s`" % c for c in classes) or "-", WORKERS),
        "",
        "Graphs (walks per node × walk length, the same for every client):",
        "",
    ]
    for gname in graphs:
        n_walks, walk_len, reps = GRAPHS[gname]
        report.append("- `%s`: %s; %d × %d" % (gname, descs.get(gname, "?"), n_walks, walk_len))
    report += [
        "",
        "Settings: %d dimensions (Walklets: 4 scales × %d); node2vec p=%g, q=%g (node2vec, karateclub Node2Vec, "
        "pecanpy); node2vec `fit(window=10, min_count=1, batch_words=4)` as in its README; karateclub's and "
        "pecanpy's own Word2Vec settings (karateclub: hs=1, window 5, alpha 0.05, 1 epoch; pecanpy: window 10, "
        "1 epoch); SINE gets random sparse binary node features (32 columns, density 0.1, no label "
        "information)." % (DIM, DIM // 4, P, Q),
        "",
        "- `comm@10`: fraction of each node's 10 nearest neighbours by cosine in its own community (labels: the "
        "clubs, the planted blocks, Louvain communities for `ba`).",
        "- `cos nb` / `cos non`: mean cosine over all edges / over as many fixed random non-edges; `AUC`: ROC AUC "
        "of the cosine separating edges from those non-edges.",
        "- `acc`: logistic-regression node classification (same labels), one fixed stratified 50/50 split.",
        "- `w2v s`: seconds inside `Word2Vec(...)` (vocabulary + training, summed over the models a client builds); "
        "`fit s`: the client's whole fit (walks + Word2Vec); `w2v speed-up`: median gensim w2v s / median cw2v "
        "w2v s.",
        "",
        md,
        "",
        "Package versions:",
        "",
        "| package | gensim child | cw2v child |",
        "| --- | --- | --- |",
    ]
    keys = list(vers.get("gensim") or {}) + [k for k in (vers.get("cw2v") or {}) if k not in (vers.get("gensim") or {})]
    for k in keys:
        report.append("| %s | %s | %s |" % (k, (vers.get("gensim") or {}).get(k), (vers.get("cw2v") or {}).get(k)))
    if failures:
        report += ["", "## Failures", ""]
        for family, lib, rc, err in failures:
            report += ["`%s` with %s exited %d:" % (family, lib, rc), "", "```", err.strip(), "```", ""]
    out = args.output
    os.makedirs(os.path.dirname(os.path.abspath(out)), exist_ok=True)
    with open(out, "w") as f:
        f.write("\n".join(report) + "\n")
    if args.json:
        with open(args.json, "w") as f:
            json.dump({"command": cmdline, "cpu": cpu_model(), "versions": vers, "rows": rows}, f, indent=1)
    print("\nwrote %s%s; %.0f s in all" % (out, (" and " + args.json) if args.json else "", elapsed))
    return 1 if failures else 0


def main(argv=None):
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--graphs", default=",".join(GRAPHS), help="any of %s [all]" % ",".join(GRAPHS))
    ap.add_argument("--clients", default=",".join(CLIENTS), help="any of %s [all]" % ",".join(CLIENTS))
    ap.add_argument("--libs", default="gensim,cw2v",
                    help="any of %s, in this order [gensim,cw2v]; cw2v-per-pair: patch_gensim(batched=False)"
                    % ",".join(LIBS))
    ap.add_argument("--repeats", type=int, default=0,
                    help="repeats per graph (0: %s)" % ", ".join("%s %d" % (k, v[2]) for k, v in GRAPHS.items()))
    ap.add_argument("--output", default=os.path.join(HERE, "results", "clients.md"))
    ap.add_argument("--json", default=None, help="also write every run as JSON")
    ap.add_argument("--timeout", type=float, default=1800, help="seconds per child [1800]")
    ap.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--lib", help=argparse.SUPPRESS)
    ap.add_argument("--client", help=argparse.SUPPRESS)
    ap.add_argument("--models", help=argparse.SUPPRESS)
    args = ap.parse_args(argv)
    if args.child:
        child(args)
        return 0
    return parent(args)


if __name__ == "__main__":
    sys.exit(main())
