#!/usr/bin/env python3
"""End-to-end benchmarks of gocache against the go command, side by side in one run.

For each size (generated example monorepos of N Lambda functions, `gocache example
--preset scaled --targets N --seed 42`, plus one committed shared-library edit that reaches
about a fifth of the targets), it times, with R repetitions each (median, min, max) and the
peak RSS of every run:

  affected  `gocache affected --base HEAD~1` cold (fresh --cache-dir) and warm (memo)
            against `go list -e -deps -json ./...` in every module, cold (empty GOCACHE)
            and warm;
  hash      `gocache hash` cold and warm against one SHA-256 pass (sha256sum) over the
            input files (every tracked .go/.c/.h/.s file and every embedded file);
  build     `gocache build` against build-all: `go build` per target, one after another
            (what such CI did), and one `go build -o DIR/ ./...`, for no change, a
            one-function change and a shared-library change (about a fifth of the
            targets), each from a primed gocache store and a warm GOCACHE.

Writes OUT/results.json; with --report, also docs/benchmarks.md, docs/bench/*.svg and
docs/bench/results.json. --report-only FILE re-renders the report from a results file.
--compare FILE checks every ratio against an earlier results file (stability).

Python 3 standard library only. Usage (after `swift build -c release --product gocache`):

  python3 scripts/bench.py --report                      # the full run (make bench)
  python3 scripts/bench.py --quick --out /tmp/b          # smallest size, one repetition
"""

import argparse
import datetime
import json
import os
import platform
import re
import shlex
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
SEED = 42
SCHEMA_VERSION = 1
BUILD_FLAGS = ["-trimpath", "-buildvcs=false", "-ldflags=-s -w"]
SCENARIOS = [
    ("none", "no change"),
    ("function", "one-function change"),
    ("shared", "shared-library change"),
]


class BenchError(Exception):
    pass


def log(message):
    print(f"[bench {time.strftime('%H:%M:%S')}] {message}", file=sys.stderr, flush=True)


# ---------------------------------------------------------------------------------------
# Running and timing


def run_timed(argv, cwd, env, stdout=subprocess.DEVNULL):
    """Runs argv; returns (seconds, peak RSS in KiB of the child and its waited-for
    descendants). Raises BenchError with the tail of stderr on a non-zero exit."""
    with tempfile.TemporaryFile() as err:
        start = time.perf_counter()
        process = subprocess.Popen(argv, cwd=cwd, env=env, stdout=stdout, stderr=err, stdin=subprocess.DEVNULL)
        _, status, usage = os.wait4(process.pid, 0)
        elapsed = time.perf_counter() - start
        process.returncode = os.waitstatus_to_exitcode(status)
        if process.returncode != 0:
            err.seek(0)
            tail = err.read().decode(errors="replace")[-3000:]
            raise BenchError(f"{shlex.join(argv)} (in {cwd}) exited {process.returncode}:\n{tail}")
        return elapsed, usage.ru_maxrss


def run_output(argv, cwd, env=None):
    result = subprocess.run(argv, cwd=cwd, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BenchError(f"{shlex.join(argv)} (in {cwd}) exited {result.returncode}:\n{result.stderr[-3000:]}")
    return result.stdout


def summarize(samples, rss):
    return {
        "samples": [round(s, 4) for s in samples],
        "median": round(statistics.median(samples), 4),
        "min": round(min(samples), 4),
        "max": round(max(samples), 4),
        "reps": len(samples),
        "rssKiB": rss,
        "peakRssKiB": max(rss),
    }


# Untimed rounds before each group of measurements (0 in --quick mode): the first run of a
# tool after another group's pays for loading its binary and warming the page cache, which
# made the first repetition of a group an outlier (affected/50/cold differed by a third
# between two full runs).
WARMUP = {"rounds": 1}


def measure_interleaved(reps, actions):
    """actions: {name: (action, before or None)}; runs one of each per repetition, in turn,
    so that a change of background load hits every tool alike. WARMUP["rounds"] untimed
    rounds come first."""
    for _ in range(WARMUP["rounds"]):
        for action, before in actions.values():
            if before:
                before()
            action()
    runs = {name: [] for name in actions}
    for _ in range(reps):
        for name, (action, before) in actions.items():
            if before:
                before()
            runs[name].append(action())
    return {name: summarize([s for s, _ in r], [m for _, m in r]) for name, r in runs.items()}


def rmtree(path):
    shutil.rmtree(path, ignore_errors=True)


def cold_cache_root(out, requested):
    """Where the cold rows' caches live (an empty GOCACHE for `go list`, a fresh --cache-dir
    for `gocache affected`): --cold-dir if given, else a directory on /dev/shm when that is a
    tmpfs with 256 MiB free, else OUT. Returns (path, kind). A cold `go list` writes its whole
    cache (3.5 MB in 500 files at 50 targets, 22 MB at 1,000), and on this machine's ext4
    (mounted with `discard`) creating and deleting those files rep after rep got slower
    through a run and differed between runs: the same cold `go list` took 0.25 s, then
    0.68 s, then 0.86 s on disk in three series of ten, while on tmpfs every series took
    0.24-0.26 s (gocache's cold runs, which write a few memo files, showed no difference).
    That made the cold ratio move by up to 47% between two runs of one binary."""
    if requested:
        path = os.path.abspath(requested)
        os.makedirs(path, exist_ok=True)
        return tempfile.mkdtemp(prefix="cold-", dir=path), "given"
    try:
        with open("/proc/mounts") as f:
            tmpfs = any(line.split()[1:3] == ["/dev/shm", "tmpfs"] for line in f)
        stat = os.statvfs("/dev/shm")
        if tmpfs and stat.f_bavail * stat.f_frsize >= 256 << 20:
            return tempfile.mkdtemp(prefix="gocache-bench-cold-", dir="/dev/shm"), "tmpfs"
    except OSError:
        pass
    return tempfile.mkdtemp(prefix="cold-", dir=out), "disk"


# ---------------------------------------------------------------------------------------
# The toolchain and the machine


def find_gocache(flag):
    candidates = [flag] if flag else [
        os.environ.get("GOCACHE_BENCH_BINARY"),
        os.path.join(ROOT, ".build", "release", "gocache"),
        os.path.join(ROOT, ".build", "debug", "gocache"),
    ]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    raise BenchError("no gocache binary: run `swift build -c release --product gocache` or pass --gocache PATH")


def find_go(flag):
    candidates = [flag, os.environ.get("GOCACHE_TEST_GO"), os.path.join(ROOT, ".tools", "bin", "go"), shutil.which("go")]
    for candidate in candidates:
        if candidate and os.access(candidate, os.X_OK):
            return os.path.abspath(candidate)
    raise BenchError("no Go toolchain: run `make setup`, put go on PATH or pass --go PATH")


def machine_info(go, gocache, env):
    info = {"cpuModel": None, "cores": os.cpu_count(), "memoryKiB": None}
    try:
        with open("/proc/cpuinfo") as f:
            for line in f:
                if line.startswith("model name"):
                    info["cpuModel"] = line.split(":", 1)[1].strip()
                    break
    except OSError:
        pass
    try:
        with open("/proc/meminfo") as f:
            for line in f:
                if line.startswith("MemTotal:"):
                    info["memoryKiB"] = int(line.split()[1])
    except OSError:
        pass
    info["kernel"] = platform.platform()
    info["go"] = run_output([go, "version"], ROOT, env).strip()
    try:
        swift = subprocess.run(["swift", "--version"], capture_output=True, text=True)
        info["swift"] = (swift.stdout or swift.stderr).strip().splitlines()[0]
    except (OSError, IndexError):
        info["swift"] = None
    info["gocacheVersion"] = run_output([gocache, "version"], ROOT, env).strip().splitlines()[0]
    info["gocacheBinary"] = os.path.relpath(gocache, ROOT) if gocache.startswith(ROOT) else gocache
    info["gocacheBuild"] = "release" if "/release/" in gocache else ("debug" if "/debug/" in gocache else "unknown")
    info["python"] = platform.python_version()
    info["git"] = run_output(["git", "--version"], ROOT).strip()
    return info


# ---------------------------------------------------------------------------------------
# Repositories


class Repo:
    """One generated repository and what the benchmarks need to know about it."""

    def __init__(self, bench, size):
        self.bench = bench
        self.size = size
        self.path = os.path.join(bench.out, f"repo-{size}")
        self.info = {}

    def git(self, *args):
        return run_output(["git", *args], self.path, self.bench.git_env)

    def generate(self):
        rmtree(self.path)
        start = time.perf_counter()
        run_output([self.bench.gocache, "example", "--out", self.path, "--preset", "scaled",
                    "--targets", str(self.size), "--seed", str(SEED)], self.bench.out, self.bench.env)
        graph = self.graph()
        self.targets = [t["dir"] for t in graph["targets"]]
        deps = {t["dir"]: set(t["deps"]) for t in graph["targets"]}
        local = [p for p in graph["packages"] if not p.get("standard") and p.get("dir")
                 and not p["dir"].startswith("vendor/")]
        target_dirs = set(self.targets)
        # The shared package whose change reaches closest to a fifth of the targets.
        best = None
        for package in local:
            if package["dir"] in target_dirs or not package["dir"].startswith(("internal/", "pkg/")):
                continue
            if "testutil" in package["dir"] or not package.get("goFiles"):
                continue
            reach = sum(1 for d in deps.values() if package["importPath"] in d)
            score = (abs(reach - len(self.targets) / 5), package["dir"])
            if best is None or score < best[0]:
                best = (score, package, reach)
        if best is None:
            raise BenchError(f"no shared package in {self.path}")
        _, package, reach = best
        self.shared_file = package["dir"] + "/" + sorted(package["goFiles"])[0]
        self.shared_reach = reach
        # The targets a change of the shared package reaches, by the graph (the exact set
        # `go build` of only the affected targets compiles).
        self.shared_targets = sorted(d for d, ds in deps.items() if package["importPath"] in ds)
        functions = sorted(d for d in self.targets if d.startswith("functions/"))
        function = next((d for d in functions if os.path.exists(os.path.join(self.path, d, "main.go"))), None)
        if function is None:
            raise BenchError(f"no function with a main.go in {self.path}")
        self.function_file = function + "/main.go"
        # The committed change `affected --base HEAD~1` sees.
        self.append_function(self.shared_file, "BenchCommitted")
        self.git("commit", "-q", "-am", f"bench: edit {self.shared_file}")
        self.units = self.modules()
        self.hash_inputs = self.input_files(graph)
        tracked = self.git("ls-files", "-z").split("\0")
        tracked = [t for t in tracked if t]
        affected = run_output([self.bench.gocache, "affected", "--base", "HEAD~1", "--cache-dir",
                               os.path.join(self.bench.out, f"probe-{self.size}")], self.path, self.bench.env).split()
        rmtree(os.path.join(self.bench.out, f"probe-{self.size}"))
        self.info = {
            "targets": len(self.targets),
            "functions": len(functions),
            "packages": len([p for p in graph["packages"] if not p.get("standard")]),
            "localPackages": len(local),
            "modules": len(self.units),
            "files": len(tracked),
            "bytes": sum(os.path.getsize(os.path.join(self.path, t)) for t in tracked),
            "goFiles": len([t for t in tracked if t.endswith(".go")]),
            "hashInputFiles": len(self.hash_inputs),
            "hashInputBytes": sum(os.path.getsize(os.path.join(self.path, p)) for p in self.hash_inputs),
            "commits": len(self.git("rev-list", "HEAD").split()),
            "sharedChange": self.shared_file,
            "sharedChangeReach": reach,
            "affectedByCommittedChange": len(affected),
            "functionChange": self.function_file,
            "generateSeconds": round(time.perf_counter() - start, 2),
        }
        log(f"repo-{self.size}: {self.info['targets']} targets, {self.info['packages']} packages, "
            f"{self.info['files']} files, {self.info['bytes']} bytes; shared change {self.shared_file} "
            f"reaches {reach} targets, affected lists {len(affected)}")

    def modules(self):
        """Directories holding a go.mod (not under vendor/, testdata/, _*, .*): one `go list` each."""
        units = []
        for dirpath, dirnames, filenames in os.walk(self.path):
            dirnames[:] = [d for d in dirnames if d not in ("vendor", "testdata") and not d.startswith(("_", "."))]
            if "go.mod" in filenames:
                units.append(os.path.relpath(dirpath, self.path))
        return sorted(units)

    def graph(self):
        text = run_output([self.bench.gocache, "graph", "--format", "json", "--cache-dir",
                           os.path.join(self.bench.out, "graph-cache")], self.path, self.bench.env)
        return json.loads(text)

    def input_files(self, graph):
        """Every tracked .go/.c/.h/.s file and every embedded file."""
        files = set(p for p in self.git("ls-files", "-z", "--", "*.go", "*.c", "*.h", "*.s").split("\0") if p)
        for package in graph["packages"]:
            if package.get("dir") and not package.get("standard"):
                for name in package.get("embedFiles") or []:
                    files.add(package["dir"] + "/" + name)
        return sorted(files)

    def append_function(self, path, tag):
        with open(os.path.join(self.path, path), "a") as f:
            f.write(f"\n// {tag} is appended by scripts/bench.py.\nfunc {tag}() int {{ return {len(tag)} }}\n")

    def add_import(self, path, package):
        """Inserts `import _ "package"` right after the file's package clause."""
        full = os.path.join(self.path, path)
        with open(full) as f:
            lines = f.read().split("\n")
        clause = next(i for i, line in enumerate(lines) if line.startswith("package "))
        lines.insert(clause + 1, f'\nimport _ "{package}"')
        with open(full, "w") as f:
            f.write("\n".join(lines))

    def edit_function(self):
        """A new body-only edit of the function file (a comment line), so the tree differs
        from the one the last run saw."""
        self.edits = getattr(self, "edits", 0) + 1
        with open(os.path.join(self.path, self.function_file), "a") as f:
            f.write(f"\n// edit {self.edits} by scripts/bench.py\n")

    def reset(self):
        self.git("checkout", "-q", "--", ".")
        self.settle()

    def settle(self):
        """Waits until the files just written are older than gocache's racy-clean window
        (a second; 2.1 s here), so the next run may memoise the tree as any later run in CI
        would."""
        time.sleep(2.1)


# ---------------------------------------------------------------------------------------
# The benchmarks


class Bench:
    def __init__(self, args):
        self.args = args
        self.out = os.path.abspath(args.out)
        os.makedirs(self.out, exist_ok=True)
        self.gocache = find_gocache(args.gocache)
        self.go = find_go(args.go)
        self.cold_root, self.cold_kind = cold_cache_root(self.out, args.cold_dir)
        env = dict(os.environ)
        for name in ("GOCACHE_DIR", "GOCACHE_REMOTE", "GOCACHE_REMOTE_TOKEN", "GOWORK", "GOFLAGS", "GOENV"):
            env.pop(name, None)
        env.update({
            "PATH": os.path.dirname(self.go) + os.pathsep + env.get("PATH", "/usr/bin:/bin"),
            "GOTOOLCHAIN": "local", "GOPROXY": "off", "GOFLAGS": "", "GOENV": "off",
            "GOPATH": os.path.join(self.out, "gopath"),
            "GOCACHE": os.path.join(self.out, "go-cache-shared"),
            # gocache's Lambda defaults, for the go command references.
            "GOOS": "linux", "GOARCH": "amd64", "CGO_ENABLED": "0",
        })
        self.env = env
        self.git_env = dict(env, GIT_AUTHOR_NAME="bench", GIT_AUTHOR_EMAIL="bench@example.com",
                            GIT_COMMITTER_NAME="bench", GIT_COMMITTER_EMAIL="bench@example.com",
                            GIT_AUTHOR_DATE="2026-01-01T00:00:00Z", GIT_COMMITTER_DATE="2026-01-01T00:00:00Z",
                            GIT_CONFIG_NOSYSTEM="1", GIT_CONFIG_GLOBAL="/dev/null")

    def env_with(self, **extra):
        env = dict(self.env)
        env.update(extra)
        return env

    # -- affected -------------------------------------------------------------------------

    def fresh_clone_runs(self, repo, reps, args, reference_name, reference_run):
        """`gocache_clone` beside `reference_name`: the job CI runs for each new commit. Before
        each repetition (untimed): a new clone of HEAD at one fixed path, as a CI runner
        checks out, and the cache directory restored from the job of the commit before — a
        clone of HEAD~1 at that path that ran the same command. Nothing settles: the command
        runs right after the checkout."""
        clone = os.path.join(self.out, f"clone-{repo.size}")
        primed = os.path.join(self.out, f"clone-cache-primed-{repo.size}")
        cache = os.path.join(self.out, f"clone-cache-{repo.size}")
        argv = [self.gocache, *args, "--cache-dir", cache]

        def checkout(rev):
            rmtree(clone)
            run_output(["git", "clone", "-q", repo.path, clone], self.out, self.git_env)
            if rev != "HEAD":
                run_output(["git", "checkout", "-q", "--detach", rev], clone, self.git_env)

        rmtree(primed)
        checkout("HEAD~1")
        run_timed([self.gocache, *args, "--cache-dir", primed], clone, self.env)

        def prepare():
            checkout("HEAD")
            rmtree(cache)
            shutil.copytree(primed, cache, symlinks=True)
        try:
            return measure_interleaved(reps, {
                "gocache_clone": (lambda: run_timed(argv, clone, self.env), prepare),
                reference_name: (reference_run, None),
            })
        finally:
            for path in (clone, primed, cache):
                rmtree(path)

    def bench_affected(self, repo, reps):
        # Cold rows: both tools' caches under the cold root (see cold_cache_root), emptied
        # before each run. Warm rows: their own caches in OUT, kept warm.
        cold_cache = os.path.join(self.cold_root, f"gocache-dir-{repo.size}")
        cache = os.path.join(self.out, f"gocache-dir-{repo.size}")
        gocache_dir = os.path.join(self.cold_root, f"go-cache-list-{repo.size}")
        # A warm go list beside each cold run (its own GOCACHE, kept warm), so the issue's
        # comparison — cold gocache against warm go list — pairs runs made back to back.
        warm_dir = os.path.join(self.out, f"go-cache-list-warm-{repo.size}")

        def go_list_in(go_cache):
            """`go list -e -deps -json ./...` in every module, with GOCACHE=go_cache."""
            env = self.env_with(GOCACHE=go_cache)

            def run():
                seconds, peak = 0.0, 0
                for unit in repo.units:
                    s, r = run_timed([self.go, "list", "-e", "-deps", "-json", "./..."],
                                     os.path.join(repo.path, unit), env)
                    seconds, peak = seconds + s, max(peak, r)
                return seconds, peak
            return run

        go_list_cold = go_list_in(gocache_dir)
        go_list = go_list_in(warm_dir)

        def gocache_in(cache_dir):
            argv = [self.gocache, "affected", "--base", "HEAD~1", "--cache-dir", cache_dir]
            return lambda: run_timed(argv, repo.path, self.env)

        gocache_cold = gocache_in(cold_cache)
        gocache_run = gocache_in(cache)

        go_list()
        log(f"affected {repo.size}: cold, {reps} repetitions")
        result = measure_interleaved(reps, {
            "gocache_cold": (gocache_cold, lambda: rmtree(cold_cache)),
            "golist_cold": (go_list_cold, lambda: rmtree(gocache_dir)),
            "golist_warm_beside_cold": (go_list, None),
        })
        rmtree(gocache_dir)
        log(f"affected {repo.size}: warm, {reps} repetitions")
        gocache_run()
        result.update(measure_interleaved(reps, {"gocache_warm": (gocache_run, None), "golist_warm": (go_list, None)}))
        log(f"affected {repo.size}: warm after an edit, {reps} repetitions")
        result.update(measure_after_edits(repo, reps, gocache_run, "golist_edit_warm", go_list))
        # The committed change edits function bodies only, so gocache proves the base's graph
        # equal to the head's and loads one snapshot. A structural change (the same edit plus
        # a new import in the working tree) makes it load and compare both.
        log(f"affected {repo.size}: fresh clone, cache restored, {reps} repetitions")
        result.update(self.fresh_clone_runs(repo, reps, ["affected", "--base", "HEAD~1"], "golist_clone_warm", go_list))
        log(f"affected {repo.size}: structural change, {reps} repetitions")
        repo.add_import(repo.shared_file, "hash/adler32")
        repo.settle()
        # Each warm run right after the cold one (the memo that run wrote, for this tree) and
        # beside the go list it is compared with: a warm group of its own, set against the go
        # list runs of this group, moved by up to a quarter between two runs.
        try:
            result.update(measure_interleaved(reps, {
                "gocache_structural_cold": (gocache_cold, lambda: rmtree(cold_cache)),
                "golist_structural_warm": (go_list, None),
                "gocache_structural_warm": (gocache_cold, None),
            }))
        finally:
            repo.reset()
        rmtree(cache)
        rmtree(cold_cache)
        rmtree(warm_dir)
        return result

    # -- hash -----------------------------------------------------------------------------

    def bench_hash(self, repo, reps):
        cache = os.path.join(self.out, f"gocache-dir-{repo.size}")
        gocache = [self.gocache, "hash", "--cache-dir", cache]
        listing = os.path.join(self.out, f"hash-inputs-{repo.size}.txt")
        with open(listing, "wb") as f:
            f.write(b"".join(p.encode() + b"\0" for p in repo.hash_inputs))
        sha = ["sh", "-c", 'xargs -0 sha256sum < "$1" > /dev/null', "sh", listing]
        def gocache_run():
            return run_timed(gocache, repo.path, self.env)

        def sha_run():
            return run_timed(sha, repo.path, self.env)

        log(f"hash {repo.size}: {reps} repetitions")
        # One SHA-256 pass beside each cold run too, so cold runs have their paired reference.
        # And a warm run right after each cold one: the warm-vs-cold aim, paired.
        result = measure_interleaved(reps, {"gocache_cold": (gocache_run, lambda: rmtree(cache)),
                                            "sha256sum_cold": (sha_run, None),
                                            "gocache_warm_beside_cold": (gocache_run, None)})
        gocache_run()
        sha_run()
        result.update(measure_interleaved(reps, {"gocache_warm": (gocache_run, None), "sha256sum": (sha_run, None)}))
        log(f"hash {repo.size}: warm after an edit, {reps} repetitions")
        result.update(measure_after_edits(repo, reps, gocache_run, "sha256sum_edit", sha_run))
        log(f"hash {repo.size}: fresh clone, cache restored, {reps} repetitions")
        result.update(self.fresh_clone_runs(repo, reps, ["hash"], "sha256sum_clone", sha_run))
        rmtree(cache)
        return result

    # -- build ----------------------------------------------------------------------------

    def bench_build(self, repo, reps, each_reps):
        base = os.path.join(self.out, f"build-{repo.size}")
        rmtree(base)
        os.makedirs(base)
        store = os.path.join(base, "gocache-dir")
        caches = {tool: os.path.join(base, f"go-cache-{tool}") for tool in ("gocache", "parallel", "each", "all", "exact")}
        store_parallel = os.path.join(base, "gocache-dir-parallel")
        scratch = os.path.join(base, "out")
        # Prime: one GOCACHE warm for the committed tree, copied for each tool so that no
        # tool profits from another's compiles; then gocache's store.
        log(f"build {repo.size}: priming GOCACHE and the gocache store")
        primed = os.path.join(base, "go-cache-primed")
        run_timed([self.go, "build", *BUILD_FLAGS, "-o", scratch + "/", "./..."], repo.path,
                  self.env_with(GOCACHE=primed))
        for cache in caches.values():
            shutil.copytree(primed, cache, symlinks=True)
        rmtree(primed)
        rmtree(scratch)
        run_timed([self.gocache, "build", "--cache-dir", store, "--out", scratch], repo.path,
                  self.env_with(GOCACHE=caches["gocache"]))
        rmtree(scratch)
        shutil.copytree(store, store_parallel, symlinks=True)
        # Targets of the root module (what `./...` and the exact references build).
        nested = [u for u in repo.units if u != "."]
        in_root = [t for t in repo.targets if not any(t == u or t.startswith(u + "/") for u in nested)]
        exact = {"function": [os.path.dirname(repo.function_file)],
                 "shared": [t for t in repo.shared_targets if t in in_root]}

        def gocache_build():
            rmtree(scratch)
            return run_timed([self.gocache, "build", "--cache-dir", store, "--out", scratch], repo.path,
                             self.env_with(GOCACHE=caches["gocache"]))

        def build_each():
            rmtree(scratch)
            env = self.env_with(GOCACHE=caches["each"])
            seconds, peak = 0.0, 0
            for target in repo.targets:
                name = os.path.basename(target) if target != "." else "root"
                s, r = run_timed([self.go, "build", *BUILD_FLAGS, "-o", os.path.join(scratch, name, "bootstrap"),
                                  "./" + target], repo.path, env)
                seconds, peak = seconds + s, max(peak, r)
            return seconds, peak

        def gocache_parallel():
            rmtree(scratch)
            return run_timed([self.gocache, "build", "--strategy", "parallel", "--cache-dir", store_parallel,
                              "--out", scratch], repo.path, self.env_with(GOCACHE=caches["parallel"]))

        def build_exact(dirs):
            rmtree(scratch)
            return run_timed([self.go, "build", *BUILD_FLAGS, "-o", scratch + "/", *["./" + d for d in dirs]],
                             repo.path, self.env_with(GOCACHE=caches["exact"]))

        def build_all():
            rmtree(scratch)
            return run_timed([self.go, "build", *BUILD_FLAGS, "-o", scratch + "/", "./..."], repo.path,
                             self.env_with(GOCACHE=caches["all"]))

        result = {}
        for scenario, _ in SCENARIOS:
            samples = {"gocache": [], "go_build_each": [], "go_build_all": []}
            if scenario in exact:
                samples["go_build_exact"] = []
            if scenario == "shared":
                samples["gocache_parallel"] = []
            # Repetition -1 is an untimed warm-up (not the sequential per-target builds).
            for rep in range(-WARMUP["rounds"], reps):
                repo.reset()
                tag = f"Bench{scenario.capitalize()}{rep}".replace("-", "Warm")
                if scenario == "function":
                    repo.append_function(repo.function_file, tag)
                elif scenario == "shared":
                    repo.append_function(repo.shared_file, tag)
                log(f"build {repo.size} {scenario} rep {rep + 1}/{reps}" if rep >= 0 else
                    f"build {repo.size} {scenario} warm-up")
                runs = {"gocache": gocache_build()}
                if 0 <= rep < each_reps:
                    runs["go_build_each"] = build_each()
                runs["go_build_all"] = build_all()
                if scenario in exact:
                    runs["go_build_exact"] = build_exact(exact[scenario])
                if scenario == "shared":
                    runs["gocache_parallel"] = gocache_parallel()
                if rep >= 0:
                    for tool, run in runs.items():
                        samples[tool].append(run)
            repo.reset()
            result[scenario] = {
                tool: summarize([s for s, _ in runs], [r for _, r in runs]) for tool, runs in samples.items()
            }
        rmtree(base)
        return result

    # -- all ------------------------------------------------------------------------------

    def run(self):
        args = self.args
        started = time.time()
        results = {
            "schemaVersion": SCHEMA_VERSION,
            "command": "python3 scripts/bench.py " + shlex.join(
                os.path.relpath(a, ROOT) if a.startswith(ROOT + "/") else a for a in sys.argv[1:]),
            "startedAt": datetime.datetime.now(datetime.timezone.utc).strftime("%Y-%m-%dT%H:%M:%SZ"),
            "machine": machine_info(self.go, self.gocache, self.env),
            "config": {
                "quick": args.quick, "seed": SEED, "sizes": args.sizes, "buildSizes": args.build_sizes,
                "reps": args.reps, "fastReps": args.fast_reps, "eachReps": {str(n): self.each_reps(n) for n in args.build_sizes},
                "fastRepsBySize": {str(n): self.fast_reps(n) for n in args.sizes},
                "buildRepsBySize": {str(n): self.build_reps(n) for n in args.build_sizes},
                "goFlags": BUILD_FLAGS, "platform": "linux/amd64, CGO_ENABLED=0", "warmupRounds": WARMUP["rounds"],
                "coldCaches": self.cold_kind,
            },
            "repositories": {}, "affected": {}, "hash": {}, "build": {},
        }
        log(f"gocache {self.gocache}; go {self.go}; out {self.out}; cold caches in {self.cold_root} ({self.cold_kind})")
        try:
            self.run_sizes(results)
        finally:
            rmtree(self.cold_root)
        results["durationSeconds"] = round(time.time() - started, 1)
        results["ratios"] = ratios(results)
        return results

    def run_sizes(self, results):
        args = self.args
        for size in args.sizes:
            repo = Repo(self, size)
            log(f"generating repo-{size}")
            repo.generate()
            results["repositories"][str(size)] = repo.info
            results["affected"][str(size)] = self.bench_affected(repo, self.fast_reps(size))
            results["hash"][str(size)] = self.bench_hash(repo, self.fast_reps(size))
            if size in args.build_sizes:
                results["build"][str(size)] = self.bench_build(repo, self.build_reps(size), self.each_reps(size))
            if not args.keep:
                rmtree(repo.path)

    def fast_reps(self, size):
        """Runs of a few hundred milliseconds at the small sizes are the noisiest (and the
        cheapest): more repetitions there, unless --fast-reps was given. With 21 at 50
        targets, the warm ratios there (gocache ~18 ms against go list ~220 ms) moved by up
        to 15% between two runs of one binary (AK/AJ)."""
        if self.args.quick or self.args.fast_reps_given:
            return self.args.fast_reps
        return max(self.args.fast_reps, 41 if size <= 50 else 31 if size <= 200 else 11)

    def build_reps(self, size):
        if self.args.quick or self.args.reps_given:
            return self.args.reps
        return max(self.args.reps, 15 if size <= 50 else 7)

    def each_reps(self, size):
        if self.args.each_reps is not None:
            return max(1, min(self.build_reps(size), self.args.each_reps))
        # Sequential per-target builds are long: fewer repetitions at larger sizes.
        # Five at 50 targets: with three, this ratio moved by a quarter between two runs;
        # three at 200 (with two, by 23%).
        return max(1, min(self.build_reps(size), 5 if size <= 50 else 3))


# ---------------------------------------------------------------------------------------
# Ratios and stability


def measure_after_edits(repo, reps, gocache_run, reference_name, reference_run):
    """`gocache_edit_warm` beside `reference_name`: a new body-only edit of a function before
    each repetition, so gocache's memos are warm but the tree differs from the one the last
    run saw (the run memo cannot answer). The repository is reset afterwards."""
    try:
        return measure_interleaved(reps, {
            "gocache_edit_warm": (gocache_run, repo.edit_function),
            reference_name: (reference_run, None),
        })
    finally:
        repo.reset()


def speedup(reference, tool):
    """The speed-up of `tool` over `reference` (above 1: the tool is faster): the median over
    repetitions of reference time / tool time, pairing the i-th run of each — every
    repetition runs both back to back, so a drift of background load between repetitions
    cancels out of each pair. When the two ran a different number of times (the sequential
    per-target `go build`, 3 of 7 repetitions at 200 targets), it is the ratio of the medians
    of all runs of each: pairing would use 3 of gocache's 7 sub-second runs against 30 s loops,
    and one run's noise moved that ratio by 16-23% between two runs of one binary (runs AH/AG,
    AJ/AI; from all runs, AJ/AI within 10%). Results without samples: the ratio of medians."""
    a, b = reference.get("samples"), tool.get("samples")
    if a and b and len(a) == len(b):
        return statistics.median(x / y for x, y in zip(a, b))
    return reference["median"] / tool["median"]


def ratios(results):
    """Every headline ratio: `speedup` of gocache over each reference."""
    out = {}
    for size, a in results["affected"].items():
        out[f"affected/{size}/cold"] = speedup(a["golist_cold"], a["gocache_cold"])
        out[f"affected/{size}/warm"] = speedup(a["golist_warm"], a["gocache_warm"])
        # The aim compares cold gocache with warm go list, run beside each other.
        out[f"affected/{size}/cold-vs-warm-go-list"] = speedup(
            a.get("golist_warm_beside_cold", a["golist_warm"]), a["gocache_cold"])
        if "gocache_edit_warm" in a:
            out[f"affected/{size}/warm-after-edit"] = speedup(a["golist_edit_warm"], a["gocache_edit_warm"])
        if "gocache_clone" in a:
            out[f"affected/{size}/fresh-clone"] = speedup(a["golist_clone_warm"], a["gocache_clone"])
        if "gocache_structural_warm" in a:
            out[f"affected/{size}/structural/warm"] = speedup(a["golist_structural_warm"], a["gocache_structural_warm"])
            out[f"affected/{size}/structural/cold-vs-warm-go-list"] = speedup(
                a["golist_structural_warm"], a["gocache_structural_cold"])
    for size, h in results["hash"].items():
        out[f"hash/{size}/cold"] = speedup(h.get("sha256sum_cold", h["sha256sum"]), h["gocache_cold"])
        out[f"hash/{size}/warm"] = speedup(h["sha256sum"], h["gocache_warm"])
        # The aim: warm (memo) at least 10x faster than cold (separate groups: medians).
        out[f"hash/{size}/warm-vs-cold"] = (
            speedup(h["gocache_cold"], h["gocache_warm_beside_cold"]) if "gocache_warm_beside_cold" in h
            else h["gocache_cold"]["median"] / h["gocache_warm"]["median"])
        if "gocache_edit_warm" in h:
            out[f"hash/{size}/warm-after-edit"] = speedup(h["sha256sum_edit"], h["gocache_edit_warm"])
        if "gocache_clone" in h:
            out[f"hash/{size}/fresh-clone"] = speedup(h["sha256sum_clone"], h["gocache_clone"])
    for size, b in results["build"].items():
        for scenario, tools in b.items():
            for reference in ("go_build_each", "go_build_all", "go_build_exact"):
                if reference in tools:
                    out[f"build/{size}/{scenario}/{reference}"] = speedup(tools[reference], tools["gocache"])
    return {k: round(v, 4) for k, v in out.items()}


def recomputed_ratios(results):
    """The ratios of a results file by this script's rules (its samples are kept), so two runs
    are compared with one estimator; a file this script cannot read keeps its own."""
    try:
        return ratios(results)
    except (KeyError, TypeError, ZeroDivisionError, statistics.StatisticsError):
        return results.get("ratios", {})


def compare(new, old, tolerance):
    rows = []
    old_ratios = recomputed_ratios(old)
    for key, value in new["ratios"].items():
        if key in old_ratios:
            previous = old_ratios[key]
            deviation = value / previous - 1
            rows.append({"ratio": key, "previous": previous, "current": value,
                         "deviation": round(deviation, 4), "within": abs(deviation) <= tolerance})
    worst = max((abs(r["deviation"]) for r in rows), default=0)
    return {"against": old.get("startedAt"), "tolerance": tolerance, "ratios": rows,
            "maxDeviation": round(worst, 4), "allWithin": all(r["within"] for r in rows)}


# ---------------------------------------------------------------------------------------
# SVG charts (hand-written, no dependencies)

COLORS = ["#1f77b4", "#ff7f0e", "#2ca02c", "#d62728", "#9467bd", "#8c564b"]


def esc(text):
    return str(text).replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")


def nice_max(value):
    if value <= 0:
        return 1
    magnitude = 10 ** int(f"{value:e}".split("e")[1])
    for step in (1, 2, 2.5, 5, 10):
        if value <= step * magnitude:
            return step * magnitude
    return 10 * magnitude


def fmt_seconds(value):
    if value >= 10:
        return f"{value:.1f} s"
    if value >= 1:
        return f"{value:.2f} s"
    return f"{value * 1000:.0f} ms"


def svg_frame(width, height, title, body, legend):
    """The document: title, body, and the legend below the plot (wrapped into rows)."""
    rows, x, row = [[]], 70, 0
    for i, name in enumerate(legend):
        item = 24 + 7 * len(name)
        if x + item > width - 10 and rows[-1]:
            rows.append([])
            x = 70
        rows[-1].append((x, i, name))
        x += item
    total = height + 18 * (len(rows) - 1)
    parts = [f'<svg xmlns="http://www.w3.org/2000/svg" width="{width}" height="{total}" '
             f'viewBox="0 0 {width} {total}" font-family="Helvetica, Arial, sans-serif" font-size="12">',
             f'<rect width="{width}" height="{total}" fill="white"/>',
             f'<text x="{width / 2}" y="20" text-anchor="middle" font-size="15" font-weight="bold">{esc(title)}</text>']
    parts += body
    for r, items in enumerate(rows):
        y = height - 22 + 18 * r
        for x, i, name in items:
            parts.append(f'<rect x="{x}" y="{y}" width="12" height="12" fill="{COLORS[i % len(COLORS)]}"/>')
            parts.append(f'<text x="{x + 16}" y="{y + 10}">{esc(name)}</text>')
    parts.append("</svg>")
    return "\n".join(parts) + "\n"


def axes(left, top, plot_w, plot_h, y_max, y_label, log_scale=False):
    body = [f'<line x1="{left}" y1="{top}" x2="{left}" y2="{top + plot_h}" stroke="black"/>',
            f'<line x1="{left}" y1="{top + plot_h}" x2="{left + plot_w}" y2="{top + plot_h}" stroke="black"/>',
            f'<text transform="translate(16,{top + plot_h / 2}) rotate(-90)" text-anchor="middle">{esc(y_label)}</text>']
    for i in range(6):
        value = y_max * i / 5
        y = top + plot_h - plot_h * i / 5
        body.append(f'<line x1="{left}" y1="{y}" x2="{left + plot_w}" y2="{y}" stroke="#ddd"/>')
        body.append(f'<text x="{left - 6}" y="{y + 4}" text-anchor="end">{esc(fmt_axis(value))}</text>')
    return body


def fmt_axis(value):
    if value == 0:
        return "0"
    if value >= 1:
        return f"{value:g} s"
    return f"{value * 1000:g} ms"


def line_chart(title, x_labels, series, y_label="median wall time"):
    """series: {name: [value per x]} (None for a missing point)."""
    width, height, left, top = 640, 380, 80, 40
    plot_w, plot_h = width - left - 30, height - top - 80
    values = [v for vs in series.values() for v in vs if v is not None]
    y_max = nice_max(max(values) if values else 1)
    body = axes(left, top, plot_w, plot_h, y_max, y_label)
    n = len(x_labels)
    xs = [left + plot_w * (i + 0.5) / n for i in range(n)]
    for x, label in zip(xs, x_labels):
        body.append(f'<text x="{x}" y="{top + plot_h + 18}" text-anchor="middle">{esc(label)}</text>')
    body.append(f'<text x="{left + plot_w / 2}" y="{top + plot_h + 36}" text-anchor="middle">targets</text>')
    for i, (name, vs) in enumerate(series.items()):
        color = COLORS[i % len(COLORS)]
        points = [(x, top + plot_h - plot_h * v / y_max) for x, v in zip(xs, vs) if v is not None]
        if len(points) > 1:
            body.append(f'<polyline fill="none" stroke="{color}" stroke-width="2" points="'
                        + " ".join(f"{x:.1f},{y:.1f}" for x, y in points) + '"/>')
        for (x, y), v in zip(points, [v for v in vs if v is not None]):
            body.append(f'<circle cx="{x:.1f}" cy="{y:.1f}" r="4" fill="{color}"><title>{esc(name)}: '
                        f'{esc(fmt_seconds(v))}</title></circle>')
    return svg_frame(width, height, title, body, list(series))


def bar_chart(title, groups, names, y_label="median wall time"):
    """groups: [(label, [value per name])]."""
    width = max(640, 110 + len(groups) * max(130, len(names) * 24 + 30))
    height, left, top = 400, 80, 40
    plot_w, plot_h = width - left - 30, height - top - 100
    values = [v for _, vs in groups for v in vs if v is not None]
    y_max = nice_max(max(values) if values else 1)
    body = axes(left, top, plot_w, plot_h, y_max, y_label)
    group_w = plot_w / max(1, len(groups))
    bar_w = min(28, (group_w - 16) / max(1, len(names)))
    for g, (label, vs) in enumerate(groups):
        x0 = left + g * group_w + (group_w - bar_w * len(names)) / 2
        for i, v in enumerate(vs):
            if v is None:
                continue
            h = plot_h * v / y_max
            x = x0 + i * bar_w
            body.append(f'<rect x="{x:.1f}" y="{top + plot_h - h:.1f}" width="{bar_w - 2:.1f}" height="{h:.1f}" '
                        f'fill="{COLORS[i % len(COLORS)]}"><title>{esc(names[i])}: {esc(fmt_seconds(v))}</title></rect>')
        for j, line in enumerate(label.split("\n")):
            body.append(f'<text x="{left + g * group_w + group_w / 2:.1f}" y="{top + plot_h + 16 + 14 * j}" '
                        f'text-anchor="middle">{esc(line)}</text>')
    return svg_frame(width, height, title, body, names)


# ---------------------------------------------------------------------------------------
# The Markdown report


def md_table(header, rows):
    lines = ["| " + " | ".join(header) + " |", "|" + "|".join("---" if i == 0 else "---:" for i in range(len(header))) + "|"]
    lines += ["| " + " | ".join(str(c) for c in row) + " |" for row in rows]
    return "\n".join(lines)


def mib(kib):
    return f"{kib / 1024:.0f} MiB"


def by_size(table):
    """A {size: value} table's items, smallest size first."""
    return sorted(table.items(), key=lambda item: int(item[0]))


def ratio_text(value):
    return f"{value:.1f}×" if value >= 1 else f"{value:.2f}×"


def stat_row(label, m, reference=None):
    row = [label, fmt_seconds(m["median"]), fmt_seconds(m["min"]), fmt_seconds(m["max"]), str(m["reps"])]
    row.append(ratio_text(speedup(reference, m)) if reference else "reference")
    row.append(mib(m["peakRssKiB"]))
    return row


STAT_HEADER = ["", "median", "min", "max", "runs", "speed-up vs reference", "peak RSS"]


def headline_table(results):
    rows = []
    for size in sorted(results["affected"], key=int):
        a = results["affected"][size]
        row = [size, f"{fmt_seconds(a['gocache_warm']['median'])} vs {fmt_seconds(a['golist_warm']['median'])}",
               ratio_text(speedup(a["golist_warm"], a["gocache_warm"])),
               ratio_text(speedup(a["golist_cold"], a["gocache_cold"])),
               ratio_text(speedup(a.get("golist_warm_beside_cold", a["golist_warm"]), a["gocache_cold"]))]
        b = results["build"].get(size)
        for scenario in ("none", "shared"):
            if b:
                t = b[scenario]
                row.append(f"{fmt_seconds(t['gocache']['median'])} vs {fmt_seconds(t['go_build_all']['median'])} / "
                           f"{fmt_seconds(t['go_build_each']['median'])}")
                row.append(f"{ratio_text(speedup(t['go_build_all'], t['gocache']))} / "
                           f"{ratio_text(speedup(t['go_build_each'], t['gocache']))}")
            else:
                row += ["—", "—"]
        exact = b["shared"].get("go_build_exact") if b else None
        if exact:
            row.append(f"{fmt_seconds(exact['median'])}, {ratio_text(speedup(exact, b['shared']['gocache']))}")
        else:
            row.append("—")
        rows.append(row)
    return md_table(["targets", "`affected` vs `go list` (warm)", "speed-up warm", "speed-up cold",
                     "cold gocache vs warm go list",
                     "`build`, no change, vs build-all (`./...` / per target)", "speed-up",
                     "`build`, shared change, vs build-all", "speed-up",
                     "shared change: `go build` of exactly the affected targets, speed-up"], rows)


COLD_PLACES = {
    "tmpfs": "; both emptied before each run and kept on a tmpfs (/dev/shm): a cold go list writes its whole "
             "cache (500 files at 50 targets, 22 MB at 1,000), and on this machine's disk creating and deleting "
             "them run after run slowed through a run and from run to run (the same cold go list took 0.25 s, "
             "then 0.68 s, then 0.86 s in three series on disk, 0.24-0.26 s in every series on tmpfs), which "
             "moved the cold ratio by up to 47% between two runs of one binary; gocache's cold runs showed no "
             "difference",
    "disk": "; both emptied before each run, on disk (no tmpfs with room was found)",
    "given": "; both emptied before each run, in the directory given by --cold-dir",
}


def render_report(results, docs):
    bench_dir = os.path.join(docs, "bench")
    os.makedirs(bench_dir, exist_ok=True)
    with open(os.path.join(bench_dir, "results.json"), "w") as f:
        json.dump(results, f, indent=2, sort_keys=True)
        f.write("\n")
    sizes = sorted(results["affected"], key=int)
    aff, hsh, bld = results["affected"], results["hash"], results["build"]
    charts = {
        "affected.svg": line_chart("gocache affected vs go list -deps -json: median by size", sizes, {
            "gocache affected cold": [aff[s]["gocache_cold"]["median"] for s in sizes],
            "gocache affected warm": [aff[s]["gocache_warm"]["median"] for s in sizes],
            "go list cold": [aff[s]["golist_cold"]["median"] for s in sizes],
            "go list warm": [aff[s]["golist_warm"]["median"] for s in sizes],
        }),
        "hash.svg": line_chart("gocache hash vs one SHA-256 pass (sha256sum): median by size", sizes, {
            "gocache hash cold": [hsh[s]["gocache_cold"]["median"] for s in sizes],
            "gocache hash warm": [hsh[s]["gocache_warm"]["median"] for s in sizes],
            "sha256sum": [hsh[s]["sha256sum"]["median"] for s in sizes],
        }),
    }
    build_sizes = sorted(bld, key=int)
    if build_sizes:
        names = ["gocache build", "go build ./... (all)", "go build per target"]
        groups = []
        for s in build_sizes:
            for scenario, label in SCENARIOS:
                t = bld[s][scenario]
                groups.append((f"{s} targets\n{label}", [t["gocache"]["median"], t["go_build_all"]["median"],
                                                         t["go_build_each"]["median"]]))
        charts["build.svg"] = bar_chart("gocache build vs build-all: median CI step", groups, names)
        charts["build-growth.svg"] = line_chart("build cost by size (shared-library change)", build_sizes, {
            "gocache build": [bld[s]["shared"]["gocache"]["median"] for s in build_sizes],
            "go build ./... (all)": [bld[s]["shared"]["go_build_all"]["median"] for s in build_sizes],
            "go build per target": [bld[s]["shared"]["go_build_each"]["median"] for s in build_sizes],
        })
    for name, svg in charts.items():
        with open(os.path.join(bench_dir, name), "w") as f:
            f.write(svg)

    m, cfg = results["machine"], results["config"]
    lines = ["# Benchmarks", "",
             "gocache against the go command on generated Lambda monorepos, measured side by side in one "
             "run by `scripts/bench.py` (Python standard library only). Raw data: "
             "[bench/results.json](bench/results.json).", "",
             "Reproduce (on an idle machine; the runner builds nothing itself):", "", "```sh",
             "make release   # swift build with the Makefile's RELEASE_FLAGS (static Swift runtime, libcurl on first use)",
             results["command"], "```", "",
             "`make bench` runs the same (release build, then `scripts/bench.py --report`). "
             "`python3 scripts/bench.py --quick --out /tmp/bench` runs one repetition at the smallest size; the "
             "test suite runs it at 10 targets (`BenchRunnerTests`) and asserts no timing.", "",
             "## Machine", "",
             md_table(["", ""], [
                 ["CPU", m.get("cpuModel") or "?"], ["cores", m.get("cores")],
                 ["memory", f"{(m.get('memoryKiB') or 0) / 1048576:.1f} GiB"], ["OS", m.get("kernel")],
                 ["Go", m.get("go")], ["Swift", m.get("swift")],
                 ["gocache", f"{m.get('gocacheVersion')} ({m.get('gocacheBuild')} build)"],
                 ["run", f"{results['startedAt']}, {results['durationSeconds'] / 60:.1f} minutes"],
                 ["repetitions", "each `affected` and `hash` measurement (tools taking turns): "
                                 + (", ".join(f"{n} at {s} targets" for s, n in by_size(cfg["fastRepsBySize"]))
                                    if cfg.get("fastRepsBySize") else str(cfg.get("fastReps", cfg["reps"])))
                                 + "; each build: "
                                 + (", ".join(f"{n} at {s} targets" for s, n in by_size(cfg["buildRepsBySize"]))
                                    if cfg.get("buildRepsBySize") else str(cfg["reps"]))
                                 + "; sequential per-target `go build`: "
                                 + ", ".join(f"{n} at {s} targets" for s, n in by_size(cfg["eachReps"]))
                                 + (f"; each group of measurements after {cfg['warmupRounds']} untimed warm-up round"
                                    f"{'s' if cfg['warmupRounds'] != 1 else ''}" if cfg.get("warmupRounds") else "")],
             ]), ""]
    if results.get("note"):
        lines += [f"**Conditions.** {results['note']}", ""]
    lines += ["## Headline", "",
             "Speed-up = the median over repetitions of the reference's time / gocache's time, each "
             "repetition running both back to back (above 1×: gocache is faster; pairing the runs keeps a "
             "drift of background load on this shared machine out of the ratio); against the sequential "
             "per-target `go build`, which runs in fewer repetitions, the ratio of the medians of all runs. "
             "`build` compares the whole CI step: gocache keys every target, restores hits and "
             "compiles the misses, against building everything with a warm GOCACHE.", "",
             headline_table(results), ""]
    if results.get("stability"):
        st = results["stability"]
        lines += [f"Stability: every ratio of this run compared with a second full run ({st['against']}): "
                  f"largest deviation {st['maxDeviation'] * 100:.1f}% "
                  f"({'all within' if st['allWithin'] else 'NOT all within'} ±{st['tolerance'] * 100:.0f}%; "
                  "table at the end).", ""]
    growth_rows = []
    for s in sizes:
        b = bld.get(s, {}).get("shared")
        growth_rows.append([s, fmt_seconds(aff[s]["gocache_warm"]["median"]), fmt_seconds(aff[s]["golist_warm"]["median"]),
                            fmt_seconds(aff[s]["gocache_cold"]["median"]), fmt_seconds(aff[s]["golist_cold"]["median"]),
                            fmt_seconds(hsh[s]["gocache_warm"]["median"]), fmt_seconds(hsh[s]["sha256sum"]["median"]),
                            fmt_seconds(b["gocache"]["median"]) if b else "—",
                            fmt_seconds(b["go_build_all"]["median"]) if b else "—",
                            fmt_seconds(b["go_build_each"]["median"]) if b else "—"])
    lines += ["### How the costs grow with the number of targets", "",
              "Medians; build columns are the shared-library change.", "",
              md_table(["targets", "`affected` warm", "`go list` warm", "`affected` cold", "`go list` cold",
                        "`hash` warm", "`sha256sum`", "`build`", "`go build ./...`", "`go build` per target"],
                       growth_rows), ""]
    lines += ["## Repositories", "",
              f"`gocache example --preset scaled --targets N --seed {SEED}` (1.5 shared packages per function, "
              "every generator feature on: vendoring, a nested module, cgo with a pure-Go fallback, embeds, "
              "platform files, history), plus one committed shared-library edit on top (`HEAD~1` is the base of "
              "`affected`). Packages: every non-standard package of the graph (local and vendored).", "",
              md_table(["targets", "packages", "modules", "files", "bytes", "Go files", "hash inputs (files / bytes)",
                        "shared change", "targets it reaches"],
                       [[r["targets"], r["packages"], r["modules"], r["files"], f"{r['bytes']:,}", r["goFiles"],
                         f"{r['hashInputFiles']} / {r['hashInputBytes']:,}", f"`{r['sharedChange']}`",
                         f"{r['sharedChangeReach']} ({r['affectedByCommittedChange']} listed by `affected`)"]
                        for r in (results["repositories"][s] for s in sizes)]), "",
              "## `gocache affected` vs `go list -e -deps -json ./...`", "",
              "`gocache affected --base HEAD~1` diffs the two revisions, loads the graphs it needs and prints the "
              "affected targets. The reference only loads the graph of the working tree: `go list -e -deps -json ./...` in "
              "every module, with the same platform (linux/amd64, CGO_ENABLED=0). Cold: gocache with a fresh "
              "`--cache-dir` (no parse memo); go list with an empty GOCACHE" + COLD_PLACES.get(cfg.get("coldCaches"), "")
              + ". Warm: repeated runs (a structural change's warm run follows each cold one: the memo that run "
              "wrote). The page cache is warm in both. The committed change appends a function to a shared package (a body-only edit): "
              "no import, file or module file changes, so gocache proves the base's graph equal to the head's and "
              "loads the working tree only (`SameGraph`). The *structural change* rows add `import _ "
              "\"hash/adler32\"` to the same file in the working tree, so gocache loads and compares both "
              "revisions; the cold rows there are set against warm go list (the issue's aim compares cold gocache "
              "with warm go list). The *fresh clone* rows are the job CI runs for each new commit: a new clone of "
              "HEAD at a fixed path (as a CI runner checks out) and the cache directory restored from the job of "
              "the commit before (a clone of HEAD~1 at that path that ran the same command), the command run "
              "right after the checkout; files git's index proves are known by their blob ids, so the memos "
              "survive the new clone's stat data.", "", "![affected](bench/affected.svg)", ""]
    for s in sizes:
        a = aff[s]
        lines += [f"**{s} targets**", "", md_table(STAT_HEADER, [
            stat_row("`gocache affected` cold", a["gocache_cold"], a["golist_cold"]),
            stat_row("`go list` cold", a["golist_cold"]),
        ] + ([
            stat_row("`gocache affected` cold vs warm `go list` run beside it", a["gocache_cold"],
                     a["golist_warm_beside_cold"]),
            stat_row("`go list` warm, beside the cold runs", a["golist_warm_beside_cold"]),
        ] if "golist_warm_beside_cold" in a else []) + [
            stat_row("`gocache affected` warm", a["gocache_warm"], a["golist_warm"]),
            stat_row("`go list` warm", a["golist_warm"]),
        ] + ([
            stat_row("`gocache affected` warm, after an edit", a["gocache_edit_warm"], a["golist_edit_warm"]),
            stat_row("`go list` warm (beside the after-an-edit rows)", a["golist_edit_warm"]),
        ] if "gocache_edit_warm" in a else []) + ([
            stat_row("`gocache affected` in a fresh clone, cache directory restored", a["gocache_clone"],
                     a["golist_clone_warm"]),
            stat_row("`go list` warm (beside the fresh-clone rows)", a["golist_clone_warm"]),
        ] if "gocache_clone" in a else []) + ([
            stat_row("`gocache affected` cold, structural change", a["gocache_structural_cold"], a["golist_structural_warm"]),
            stat_row("`gocache affected` warm, structural change", a["gocache_structural_warm"], a["golist_structural_warm"]),
            stat_row("`go list` warm (beside the structural rows)", a["golist_structural_warm"]),
        ] if "gocache_structural_warm" in a else [])), ""]
    lines += ["## `gocache hash` vs one SHA-256 pass", "",
              "`gocache hash` loads the graph and computes every target's key (SHA-256 of each input file, then "
              "of each target's framed key material). The reference is `xargs -0 sha256sum` over exactly the "
              "input files (every tracked `.go`, `.c`, `.h`, `.s` file and every embedded file): the floor for "
              "reading and hashing the bytes. Cold: fresh `--cache-dir`; warm: digests and headers memoised by "
              "file stamp (or by the blob id git's index proves). Fresh clone: as for `affected`.", "", "![hash](bench/hash.svg)", ""]
    for s in sizes:
        h = hsh[s]
        lines += [f"**{s} targets**", "", md_table(STAT_HEADER, [
            stat_row("`gocache hash` cold", h["gocache_cold"], h.get("sha256sum_cold", h["sha256sum"])),
            stat_row("`gocache hash` warm", h["gocache_warm"], h["sha256sum"]),
        ] + ([
            stat_row("`gocache hash` warm, right after each cold run (vs that cold run)", h["gocache_warm_beside_cold"],
                     h["gocache_cold"]),
        ] if "gocache_warm_beside_cold" in h else []) + [
            stat_row("`sha256sum` of the inputs", h["sha256sum"]),
        ] + ([
            stat_row("`gocache hash` warm, after an edit", h["gocache_edit_warm"], h["sha256sum_edit"]),
            stat_row("`sha256sum` (beside the after-an-edit rows)", h["sha256sum_edit"]),
        ] if "gocache_edit_warm" in h else []) + ([
            stat_row("`gocache hash` in a fresh clone, cache directory restored", h["gocache_clone"], h["sha256sum_clone"]),
            stat_row("`sha256sum` (beside the fresh-clone rows)", h["sha256sum_clone"]),
        ] if "gocache_clone" in h else [])), ""]
    if build_sizes:
        lines += ["## `gocache build` vs build-all", "",
                  "Each scenario starts from a gocache store primed with the committed tree and a GOCACHE warm for "
                  "it (one primed GOCACHE, copied for each tool so no tool profits from another's compiles); each "
                  "repetition makes a new edit (a new function appended to a file), so every repetition is a real "
                  "miss for both gocache and the go command, and starts from an empty output directory, as a CI "
                  "job does. `gocache build` writes each target's `bootstrap` and Lambda zip; the references only "
                  "write binaries (no zips). Per target: `go build -trimpath -buildvcs=false -ldflags='-s -w' -o "
                  "OUT/<name>/bootstrap ./<dir>` for every target, one after another (what such CI did); all: one "
                  "`go build ... -o OUT/ ./...`.", "", "![build](bench/build.svg)", "",
                  "![build growth](bench/build-growth.svg)", ""]
        for s in build_sizes:
            for scenario, label in SCENARIOS:
                t = bld[s][scenario]
                lines += [f"**{s} targets, {label}**", "", md_table(
                    ["", "median", "min", "max", "runs", "speed-up of gocache", "peak RSS"], [
                        [row[0], *row[1:5], "—", row[6]] for row in [stat_row("`gocache build`", t["gocache"])]
                    ] + [
                        [*stat_row(name, t[key])[:5], ratio_text(speedup(t[key], t["gocache"])),
                         mib(t[key]["peakRssKiB"])]
                        for name, key in (("`go build ./...` (all)", "go_build_all"),
                                          ("`go build` per target", "go_build_each"),
                                          ("`go build` of exactly the affected targets", "go_build_exact"),
                                          ("`gocache build --strategy parallel`", "gocache_parallel"))
                        if key in t
                    ]), ""]
    if results.get("stability"):
        st = results["stability"]
        lines += ["## Stability", "",
                  f"Ratios of this run against a second full run with the same command ({st['against']}).", "",
                  md_table(["ratio (reference / gocache)", "other run", "this run", "deviation",
                            f"within ±{st['tolerance'] * 100:.0f}%"],
                           [[f"`{r['ratio']}`", f"{r['previous']:.3g}", f"{r['current']:.3g}",
                             f"{r['deviation'] * 100:+.1f}%", "yes" if r["within"] else "**no**"]
                            for r in st["ratios"]]), ""]
    lines += ["## Notes", "",
              "- Peak RSS is the largest resident set of the timed process and the children it waited for "
              "(`wait4` rusage); for loops of go commands, the largest of the loop.",
              "- Both tools may use both cores (gocache parses and hashes in parallel; the go command compiles and links in parallel).",
              "- Micro benchmarks (header scanning, build constraints, graph load, closure queries, SHA-256 "
              "against raw OpenSSL, keys, store put/get): [bench/micro.md](bench/micro.md), from "
              "`Benchmarks/GocacheBenchmarks` (ordo-one/package-benchmark): `GOCACHE_BENCHMARKS=1 swift package "
              "--disable-sandbox benchmark --target GocacheBenchmarks`.",
              "- No timing is asserted by the test suite; `BenchRunnerTests` runs `scripts/bench.py --quick` "
              "(one repetition, 10 targets) and checks that every section of the results and the report is there.",
              ""]
    with open(os.path.join(docs, "benchmarks.md"), "w") as f:
        f.write("\n".join(lines))
    log(f"wrote {os.path.join(docs, 'benchmarks.md')} and {len(charts)} charts")


# ---------------------------------------------------------------------------------------


def parse_sizes(text):
    return sorted({int(x) for x in text.split(",") if x.strip()})


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0],
                                     formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--out", default=os.path.join(ROOT, "bench-out"),
                        help="working directory for repositories, caches and results.json (default bench-out/)")
    parser.add_argument("--sizes", type=parse_sizes, help="target counts (default 50,200,1000; --quick: 50)")
    parser.add_argument("--build-sizes", type=parse_sizes, help="target counts for the build benchmark (default 50,200)")
    parser.add_argument("--reps", type=int, help="repetitions of each measurement (default 5; --quick: 1)")
    parser.add_argument("--fast-reps", type=int, help="repetitions of the affected and hash measurements, "
                                                       "which take seconds (default 9; --quick: 1)")
    parser.add_argument("--each-reps", type=int, help="repetitions of the sequential per-target go build "
                                                       "(default 5 up to 50 targets, else 3)")
    parser.add_argument("--cold-dir", help="where the cold rows' caches live (default: /dev/shm when it is a "
                                                "tmpfs with 256 MiB free, else OUT)")
    parser.add_argument("--quick", action="store_true", help="the smallest size, one repetition (CI smoke test)")
    parser.add_argument("--report", action="store_true", help="write docs/benchmarks.md, docs/bench/*.svg and results.json")
    parser.add_argument("--docs", default=os.path.join(ROOT, "docs"), help="where --report writes (default docs/)")
    parser.add_argument("--report-only", metavar="RESULTS", help="render the report from a results file; run nothing")
    parser.add_argument("--compare", metavar="RESULTS", help="compare every ratio with an earlier results file")
    parser.add_argument("--tolerance", type=float, default=0.15, help="stability tolerance for --compare (0.15)")
    parser.add_argument("--gocache", help="the gocache binary (default .build/release/gocache, then debug)")
    parser.add_argument("--go", help="the go binary (default $GOCACHE_TEST_GO, .tools/bin/go, go on PATH)")
    parser.add_argument("--note", help="a remark on the conditions of the run, printed under the machine table")
    parser.add_argument("--keep", action="store_true", help="keep the generated repositories")
    args = parser.parse_args(argv)
    try:
        if args.report_only:
            with open(args.report_only) as f:
                results = json.load(f)
            results["ratios"] = recomputed_ratios(results)
            if args.compare:
                with open(args.compare) as f:
                    results["stability"] = compare(results, json.load(f), args.tolerance)
            if args.note:
                results["note"] = args.note
            render_report(results, args.docs)
            return 0
        if args.sizes is None:
            args.sizes = [50] if args.quick else [50, 200, 1000]
        if args.build_sizes is None:
            args.build_sizes = [min(args.sizes)] if args.quick else [50, 200]
        args.build_sizes = [n for n in args.build_sizes if n in args.sizes]
        args.reps_given = args.reps is not None
        args.fast_reps_given = args.fast_reps is not None
        if args.reps is None:
            args.reps = 1 if args.quick else 5
        if args.fast_reps is None:
            args.fast_reps = 1 if args.quick else max(args.reps, 9)
        if args.reps < 1 or args.fast_reps < 1:
            raise BenchError("--reps must be at least 1")
        WARMUP["rounds"] = 0 if args.quick else 1
        results = Bench(args).run()
        if args.note:
            results["note"] = args.note
        if args.compare:
            with open(args.compare) as f:
                results["stability"] = compare(results, json.load(f), args.tolerance)
            st = results["stability"]
            log(f"stability: largest deviation {st['maxDeviation'] * 100:.1f}%, "
                f"{'all within' if st['allWithin'] else 'NOT all within'} ±{args.tolerance * 100:.0f}%")
        path = os.path.join(os.path.abspath(args.out), "results.json")
        with open(path, "w") as f:
            json.dump(results, f, indent=2, sort_keys=True)
            f.write("\n")
        log(f"wrote {path} in {results['durationSeconds']} s")
        for key, value in results["ratios"].items():
            log(f"  {key}: {value:.2f}x")
        if args.report:
            render_report(results, args.docs)
        return 0
    except BenchError as error:
        print(f"error: {error}", file=sys.stderr)
        return 1


if __name__ == "__main__":
    sys.exit(main())
