// The core benchmark's workloads against LLVM's C++ ORC (llvm::orc::ExecutionSession), row for row with
// ../workloads.ts: same ids, same sizes, same timed sections, the in-place task dispatcher.
//
//   orc-bench <row-id> [--reps N] [--no-warmup] [--quick]
//                                  runs one row; prints one JSON line {"id","ms":[...],"maxRss",["extra"]}
//   orc-bench --list               the row ids
//   orc-bench --version            the LLVM version
//
// Built by build.sh against LLVM 15 (Debian's llvm-15-dev). Symbol names are interned in one SymbolStringPool
// shared by every session, outside the timed sections (orc-ts builds its name strings outside them too).
// ORC_BENCH_CLOCK=cpu measures process CPU time instead of wall time.

#include "llvm/Config/llvm-config.h"
#include "llvm/ExecutionEngine/Orc/Core.h"
#include "llvm/ExecutionEngine/Orc/ExecutorProcessControl.h"
#include "llvm/Support/Error.h"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <sys/resource.h>
#include <unistd.h>
#include <vector>

using namespace llvm;
using namespace llvm::orc;

namespace {

const JITSymbolFlags X = JITSymbolFlags::Exported;
const uint64_t BASE = 0x10000;

std::shared_ptr<SymbolStringPool> SSP = std::make_shared<SymbolStringPool>();
bool UseCPUClock = false;

double nowMs() {
  if (UseCPUClock) {
    timespec T;
    clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &T);
    return T.tv_sec * 1e3 + T.tv_nsec / 1e6;
  }
  using namespace std::chrono;
  return duration<double, std::milli>(steady_clock::now().time_since_epoch()).count();
}

[[noreturn]] void die(const std::string &Msg) {
  fprintf(stderr, "orc-bench: %s\n", Msg.c_str());
  exit(1);
}

void check(Error E, const char *What) {
  if (E) die(std::string(What) + ": " + toString(std::move(E)));
}

template <typename T> T check(Expected<T> V, const char *What) {
  if (!V) die(std::string(What) + ": " + toString(V.takeError()));
  return std::move(*V);
}

void checkCount(size_t Got, size_t Expected, const char *What) {
  if (Got != Expected) die(std::string(What) + ": got " + std::to_string(Got) + " results, expected " + std::to_string(Expected));
}

std::vector<SymbolStringPtr> names(size_t N, const std::string &Prefix = "s") {
  std::vector<SymbolStringPtr> Out;
  Out.reserve(N);
  for (size_t I = 0; I < N; ++I) Out.push_back(SSP->intern(Prefix + std::to_string(I)));
  return Out;
}

std::vector<SymbolStringPtr> &cachedNames(size_t N) {
  static std::map<size_t, std::vector<SymbolStringPtr>> Cache;
  auto &V = Cache[N];
  if (V.empty()) V = names(N);
  return V;
}

struct Session {
  std::unique_ptr<ExecutionSession> ES;
  JITDylib *JD = nullptr;
  Session() {
    ES = std::make_unique<ExecutionSession>(std::make_unique<UnsupportedExecutorProcessControl>(SSP));
    ES->setErrorReporter([](Error E) { die("session error: " + toString(std::move(E))); });
    JD = &ES->createBareJITDylib("main");
  }
  Session(const Session &) = delete;
  ~Session() {
    if (ES) check(ES->endSession(), "endSession");
  }
};

JITDylibSearchOrder exportedOnly(JITDylib &JD) {
  return makeJITDylibSearchOrder(&JD, JITDylibLookupFlags::MatchExportedSymbolsOnly);
}

// ---- (1) absolute symbols: one MU for all, or one MU per symbol; one lookup for all names ----

double absOneMU(const std::vector<SymbolStringPtr> &Ns) {
  Session S;
  double T0 = nowMs();
  SymbolMap Defs;
  Defs.reserve(Ns.size());
  for (size_t I = 0; I < Ns.size(); ++I) Defs[Ns[I]] = JITEvaluatedSymbol(BASE + I, X);
  check(S.JD->define(absoluteSymbols(std::move(Defs))), "define");
  auto R = check(S.ES->lookup(exportedOnly(*S.JD), SymbolLookupSet(Ns)), "lookup");
  double T1 = nowMs();
  checkCount(R.size(), Ns.size(), "abs-one-mu");
  return T1 - T0;
}

double absMUPerSymbol(const std::vector<SymbolStringPtr> &Ns) {
  Session S;
  double T0 = nowMs();
  for (size_t I = 0; I < Ns.size(); ++I)
    check(S.JD->define(absoluteSymbols({{Ns[I], JITEvaluatedSymbol(BASE + I, X)}})), "define");
  auto R = check(S.ES->lookup(exportedOnly(*S.JD), SymbolLookupSet(Ns)), "lookup");
  double T1 = nowMs();
  checkCount(R.size(), Ns.size(), "abs-mu-per-sym");
  return T1 - T0;
}

// ---- (2) one lookup per symbol, all already defined (and materialized) ----

void makeReady(Session &S, const std::vector<SymbolStringPtr> &Ns) {
  SymbolMap Defs;
  for (size_t I = 0; I < Ns.size(); ++I) Defs[Ns[I]] = JITEvaluatedSymbol(BASE + I, X);
  check(S.JD->define(absoluteSymbols(std::move(Defs))), "define");
  check(S.ES->lookup(exportedOnly(*S.JD), SymbolLookupSet(Ns)), "lookup");
}

double lookupOneAtATime(const std::vector<SymbolStringPtr> &Ns) {
  Session S;
  makeReady(S, Ns);
  auto Order = exportedOnly(*S.JD);
  uint64_t Sum = 0;
  double T0 = nowMs();
  for (auto &N : Ns) Sum += check(S.ES->lookup(Order, N), "lookup").getAddress();
  double T1 = nowMs();
  if (Sum == 0) die("unreachable");
  return T1 - T0;
}

double lookupOneAtATimeCallback(const std::vector<SymbolStringPtr> &Ns) {
  Session S;
  makeReady(S, Ns);
  auto Order = exportedOnly(*S.JD);
  size_t Found = 0;
  double T0 = nowMs();
  // With the in-place dispatcher each callback runs before lookup returns.
  for (auto &N : Ns)
    S.ES->lookup(LookupKind::Static, Order, SymbolLookupSet(N), SymbolState::Ready,
                 [&](Expected<SymbolMap> R) { Found += check(std::move(R), "lookup").size(); },
                 NoDependenciesToRegister);
  double T1 = nowMs();
  checkCount(Found, Ns.size(), "lookup-1x1-cb");
  return T1 - T0;
}

// ---- (3) a link-order chain of JITDylibs ----

const size_t CHAIN_JDS = 100, CHAIN_PER_JD = 1000;

struct Chain {
  std::vector<std::vector<SymbolStringPtr>> Names;
  std::vector<SymbolStringPtr> All;
  Chain() {
    for (size_t K = 0; K < CHAIN_JDS; ++K) {
      Names.push_back(names(CHAIN_PER_JD, "c" + std::to_string(K) + "_"));
      All.insert(All.end(), Names.back().begin(), Names.back().end());
    }
  }
};

Chain &chain() {
  static Chain C;
  return C;
}

struct ChainSession {
  std::unique_ptr<ExecutionSession> ES;
  std::vector<JITDylib *> JDs;
  ChainSession() {
    ES = std::make_unique<ExecutionSession>(std::make_unique<UnsupportedExecutorProcessControl>(SSP));
    ES->setErrorReporter([](Error E) { die("session error: " + toString(std::move(E))); });
    for (size_t K = 0; K < CHAIN_JDS; ++K) JDs.push_back(&ES->createBareJITDylib("jd" + std::to_string(K)));
    // Each JITDylib's link order: itself, then the next one.
    for (size_t K = 0; K + 1 < CHAIN_JDS; ++K) JDs[K]->addToLinkOrder(*JDs[K + 1]);
  }
  ~ChainSession() { check(ES->endSession(), "endSession"); }
  void define() {
    auto &C = chain();
    for (size_t K = 0; K < CHAIN_JDS; ++K) {
      SymbolMap Defs;
      for (size_t I = 0; I < CHAIN_PER_JD; ++I)
        Defs[C.Names[K][I]] = JITEvaluatedSymbol(BASE + K * CHAIN_PER_JD + I, X);
      check(JDs[K]->define(absoluteSymbols(std::move(Defs))), "define");
    }
  }
  // The search order of the chain's head: its link order followed transitively (jd0, jd1, ..., jd99).
  JITDylibSearchOrder searchOrder() {
    auto DFS = check(JDs[0]->getDFSLinkOrder(), "getDFSLinkOrder");
    JITDylibSearchOrder O;
    for (auto &JD : DFS) O.push_back({JD.get(), JITDylibLookupFlags::MatchExportedSymbolsOnly});
    return O;
  }
};

double chainFirst() {
  ChainSession S;
  auto &C = chain();
  double T0 = nowMs();
  S.define();
  auto R = check(S.ES->lookup(S.searchOrder(), SymbolLookupSet(C.All)), "lookup");
  double T1 = nowMs();
  checkCount(R.size(), C.All.size(), "chain");
  return T1 - T0;
}

double chainReady() {
  ChainSession S;
  auto &C = chain();
  S.define();
  check(S.ES->lookup(S.searchOrder(), SymbolLookupSet(C.All)), "lookup");
  double T0 = nowMs();
  auto R = check(S.ES->lookup(S.searchOrder(), SymbolLookupSet(C.All)), "lookup");
  double T1 = nowMs();
  checkCount(R.size(), C.All.size(), "chain-ready");
  return T1 - T0;
}

// ---- (4) symbols materialized by a custom MaterializationUnit ----

/// Resolves each of its symbols at base + index and emits them (no dependencies) when triggered.
class BenchMU : public MaterializationUnit {
public:
  BenchMU(ArrayRef<SymbolStringPtr> Syms, uint64_t Base) : MaterializationUnit(makeInterface(Syms)), Base(Base) {}
  StringRef getName() const override { return "BenchMU"; }
  void materialize(std::unique_ptr<MaterializationResponsibility> R) override {
    SymbolMap Resolved;
    Resolved.reserve(R->getSymbols().size());
    uint64_t A = Base;
    for (auto &KV : R->getSymbols()) Resolved[KV.first] = JITEvaluatedSymbol(A++, KV.second);
    if (auto Err = R->notifyResolved(Resolved)) {
      R->getExecutionSession().reportError(std::move(Err));
      R->failMaterialization();
      return;
    }
    if (auto Err = R->notifyEmitted()) {
      R->getExecutionSession().reportError(std::move(Err));
      R->failMaterialization();
    }
  }

private:
  static Interface makeInterface(ArrayRef<SymbolStringPtr> Syms) {
    SymbolFlagsMap Flags;
    Flags.reserve(Syms.size());
    for (auto &N : Syms) Flags[N] = X;
    return Interface(std::move(Flags), nullptr);
  }
  void discard(const JITDylib &, const SymbolStringPtr &) override {}
  uint64_t Base;
};

double customMU(const std::vector<SymbolStringPtr> &Ns, size_t PerMU) {
  Session S;
  double T0 = nowMs();
  for (size_t I = 0; I < Ns.size(); I += PerMU) {
    ArrayRef<SymbolStringPtr> Slice(Ns.data() + I, std::min(PerMU, Ns.size() - I));
    check(S.JD->define(std::make_unique<BenchMU>(Slice, BASE + I)), "define");
  }
  auto R = check(S.ES->lookup(exportedOnly(*S.JD), SymbolLookupSet(Ns)), "lookup");
  double T1 = nowMs();
  checkCount(R.size(), Ns.size(), "custom-mu");
  return T1 - T0;
}

// ---- (5) a ring: s[i] depends on s[i+1], s[N-1] on s[0] ----

/// Hands its responsibility to the benchmark, which resolves and emits it later.
class HoldingMU : public MaterializationUnit {
public:
  HoldingMU(SymbolStringPtr Name, size_t Slot, std::vector<std::unique_ptr<MaterializationResponsibility>> &Held)
      : MaterializationUnit(Interface(SymbolFlagsMap({{std::move(Name), X}}), nullptr)), Slot(Slot), Held(Held) {}
  StringRef getName() const override { return "HoldingMU"; }
  void materialize(std::unique_ptr<MaterializationResponsibility> R) override { Held[Slot] = std::move(R); }

private:
  void discard(const JITDylib &, const SymbolStringPtr &) override {}
  size_t Slot;
  std::vector<std::unique_ptr<MaterializationResponsibility>> &Held;
};

double ring(const std::vector<SymbolStringPtr> &Ns) {
  Session S;
  size_t N = Ns.size();
  std::vector<std::unique_ptr<MaterializationResponsibility>> Held(N);
  double T0 = nowMs();
  for (size_t I = 0; I < N; ++I) check(S.JD->define(std::make_unique<HoldingMU>(Ns[I], I, Held)), "define");
  bool Done = false;
  size_t Got = 0;
  S.ES->lookup(LookupKind::Static, exportedOnly(*S.JD), SymbolLookupSet(Ns), SymbolState::Ready,
               [&](Expected<SymbolMap> R) {
                 Got = check(std::move(R), "lookup").size();
                 Done = true;
               },
               NoDependenciesToRegister);
  for (size_t I = 0; I < N; ++I) {
    auto &R = Held[I];
    if (!R) die("ring: unit not materialized");
    check(R->notifyResolved({{Ns[I], JITEvaluatedSymbol(BASE + I, X)}}), "notifyResolved");
    R->addDependenciesForAll({{S.JD, SymbolNameSet({Ns[(I + 1) % N]})}});
    check(R->notifyEmitted(), "notifyEmitted");
    R.reset();
  }
  double T1 = nowMs();
  if (!Done) die("ring: lookup not complete");
  checkCount(Got, N, "ring");
  return T1 - T0;
}

// ---- (6) memory: 1,000,000 absolute symbols defined, looked up, kept alive ----

size_t currentRSS() {
  FILE *F = fopen("/proc/self/statm", "r");
  if (!F) return 0;
  unsigned long Size = 0, Resident = 0;
  if (fscanf(F, "%lu %lu", &Size, &Resident) != 2) Resident = 0;
  fclose(F);
  return Resident * (size_t)sysconf(_SC_PAGESIZE);
}

std::string MemoryExtra;

double rssRow(size_t N) {
  size_t RSS0 = currentRSS();
  auto Ns = new std::vector<SymbolStringPtr>(names(N));
  auto S = new Session(); // kept alive: never destroyed
  double T0 = nowMs();
  SymbolMap Defs;
  for (size_t I = 0; I < N; ++I) Defs[(*Ns)[I]] = JITEvaluatedSymbol(BASE + I, X);
  check(S->JD->define(absoluteSymbols(std::move(Defs))), "define");
  auto R = new SymbolMap(check(S->ES->lookup(exportedOnly(*S->JD), SymbolLookupSet(*Ns)), "lookup"));
  double T1 = nowMs();
  checkCount(R->size(), N, "rss");
  size_t RSS1 = currentRSS();
  char Buf[256];
  snprintf(Buf, sizeof Buf, "{\"rssAfterGC\":%zu,\"bytesPerSymbol\":%.1f}", RSS1, double(RSS1 - RSS0) / N);
  MemoryExtra = Buf;
  return T1 - T0;
}

// ---- the table (ids, repetitions and warm-ups as in workloads.ts) ----

struct Row {
  const char *Id;
  int Reps;
  std::function<double()> Run;
  std::function<double()> Warmup; // empty: run once
  bool NoWarmup = false;
};

std::vector<Row> rows() {
  const size_t K100 = 100000, M1 = 1000000;
  auto &N = cachedNames;
  return {
      {"abs-one-mu-100k", 7, [&] { return absOneMU(N(K100)); }, {}},
      {"abs-one-mu-1m", 3, [&] { return absOneMU(N(M1)); }, [&] { return absOneMU(N(K100)); }},
      {"abs-mu-per-sym-100k", 5, [&] { return absMUPerSymbol(N(K100)); }, {}},
      {"abs-mu-per-sym-1m", 3, [&] { return absMUPerSymbol(N(M1)); }, [&] { return absMUPerSymbol(N(K100)); }},
      {"lookup-1x1-100k", 5, [&] { return lookupOneAtATime(N(K100)); }, {}},
      {"lookup-1x1-cb-100k", 5, [&] { return lookupOneAtATimeCallback(N(K100)); }, {}},
      {"chain-100x1000", 5, chainFirst, {}},
      {"chain-100x1000-ready", 5, chainReady, {}},
      {"custom-mu-one-100k", 7, [&] { return customMU(N(K100), K100); }, {}},
      {"custom-mu-100-100k", 7, [&] { return customMU(N(K100), 100); }, {}},
      {"custom-mu-each-100k", 5, [&] { return customMU(N(K100), 1); }, {}},
      // LLVM 15's dependency tracking (before the WaitingOnGraph) makes each emit in a ring move the waits of every
      // earlier symbol: O(N^2). Fewer repetitions here; 100,000 would take over an hour, so it runs only when
      // ORC_BENCH_CPP_RING_100K is set.
      {"ring-1000", 3, [&] { return ring(N(1000)); }, {}},
      {"ring-4000", 1, [&] { return ring(N(4000)); }, {}, true},
      {"ring-100k", 1, [&] { return ring(N(K100)); }, {}, true},
      {"rss-1m", 1, [&] { return rssRow(M1); }, {}, true},
  };
}

} // namespace

int main(int argc, char **argv) {
  if (argc < 2) die("usage: orc-bench <row-id> [--reps N] [--no-warmup] [--quick] | --list | --version");
  std::string Id = argv[1];
  bool Quick = false, NoWarmup = false;
  int Reps = 0;
  for (int I = 2; I < argc; ++I) {
    if (!strcmp(argv[I], "--quick")) Quick = true;
    else if (!strcmp(argv[I], "--no-warmup")) NoWarmup = true;
    else if (!strcmp(argv[I], "--reps") && I + 1 < argc) Reps = atoi(argv[++I]);
    else die(std::string("unknown option ") + argv[I]);
  }
  if (const char *C = getenv("ORC_BENCH_CLOCK")) UseCPUClock = !strcmp(C, "cpu");
  if (Id == "--version") {
    printf("%s\n", LLVM_VERSION_STRING);
    return 0;
  }
  auto All = rows();
  if (Id == "--list") {
    for (auto &R : All) printf("%s\n", R.Id);
    return 0;
  }
  if (Id == "ring-100k" && !getenv("ORC_BENCH_CPP_RING_100K")) return 0; // prints nothing: "not run"
  for (auto &R : All) {
    if (Id != R.Id) continue;
    if (!Quick && !NoWarmup && !R.NoWarmup) (R.Warmup ? R.Warmup : R.Run)();
    std::vector<double> Ms;
    int N = Quick ? 1 : Reps > 0 ? Reps : R.Reps;
    for (int I = 0; I < N; ++I) Ms.push_back(R.Run());
    rusage U;
    getrusage(RUSAGE_SELF, &U);
    printf("{\"id\":\"%s\",\"ms\":[", R.Id);
    for (size_t I = 0; I < Ms.size(); ++I) printf("%s%.3f", I ? "," : "", Ms[I]);
    printf("],\"maxRss\":%ld", (long)U.ru_maxrss * 1024);
    if (!MemoryExtra.empty()) printf(",\"extra\":%s", MemoryExtra.c_str());
    printf("}\n");
    fflush(stdout);
    _exit(0); // the memory row keeps its session alive on purpose: skip teardown
  }
  die("no row " + Id);
}
