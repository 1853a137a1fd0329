"""checks_live -- the shipped scrape configs and rules, loaded by running VictoriaMetrics, vmalert,
vmagent and Prometheus against nsprobe and two knotd (ns1, ns2).

The scenario is ordered: everything up (all probes succeed, example.net's serials differ between
ns1 and ns2, so the divergence alert fires), the scale-out configs, then ns2 stopped (its probes
fail and the failure alerts fire). Rules run with `for: 2s` instead of 5m/10m; the 5m logic itself
is covered by config/alerts/tests (promtool test rules).
"""

import json
import os
import urllib.parse

import stack
from checks_files import HEALTH_ROW, row_panels
from stack import Skip, StackError, poll

ZONES = ("example.com", "example.net")
SERVERS = ("ns1", "ns2")
FAMILIES = ("ipv4", "ipv6")
JOBS = ("dns_soa", "dns_dnskey")
DEADLINE = 45.0


def key(m, *names):
    return tuple(m.get(n, "") for n in names)


def query(port, promql, prefix="/api/v1"):
    """Instant query against a Prometheus-compatible API: [(labels, float value)]."""
    data = stack.get_json(port, "%s/query?query=%s" % (prefix, urllib.parse.quote(promql)))
    if data.get("status") != "success":
        raise StackError("query %s: %s" % (promql, data))
    return [(r["metric"], float(r["value"][1])) for r in data["data"]["result"]]


def expected_success(down=()):
    return {(j, z, s, f): (0.0 if s in down else 1.0)
            for j in JOBS for z in ZONES for s in SERVERS for f in FAMILIES}


def success_matches(port, want, extra=""):
    """(done, detail): probe_success per job, zone, server, family equals want."""
    got = {}
    for m, v in query(port, "probe_success%s" % extra):
        got[key(m, "job", "zone", "server", "family")] = v
    if got == want:
        return True, "%d series" % len(got)
    diff = sorted(set(got.items()) ^ set(want.items()))
    return False, "mismatch (got^want): %s" % diff[:6]


def firing(alerts_port, alertname, path="/api/v1/alerts"):
    data = stack.get_json(alerts_port, path)
    out = []
    for a in data["data"]["alerts"] or []:
        if a["labels"].get("alertname") == alertname and a.get("state") == "firing":
            out.append(a["labels"])
    return out


# --- VictoriaMetrics + vmalert ------------------------------------------------------------------

class VM:
    """VictoriaMetrics single-node scraping through the shipped config, vmalert on its rules."""

    def __init__(self, world):
        self.world = world
        self.vm = None
        self.vmalert = None
        self.receiver = None


def vm_argv(scrape_config):
    # Loopback only; data in the temp dir; no caches or latency offset so the test sees each
    # scrape at once. VictoriaMetrics 1.79 has no telemetry; nothing is pushed anywhere.
    argv = [stack.tool("victoria-metrics", "victoria-metrics"),
            "-httpListenAddr=127.0.0.1:{port}", "-storageDataPath={dir}/data",
            "-search.latencyOffset=0s", "-search.disableCache", "-loggerLevel=WARN",
            "-retentionPeriod=1d", "-memory.allowedPercent=5"]
    if scrape_config:
        argv += ["-promscrape.config=" + scrape_config, "-promscrape.config.strictParse"]
    return argv


def get_vm(world):
    st = getattr(world, "_vm", None)
    if st is None:
        st = VM(world)
        world._vm = st
        stack.tool("victoria-metrics", "victoria-metrics")
        e = world.nsprobe(0)
        d = os.path.join(world.dir, "vm-config")
        cfg = world.scrape_config("victoriametrics.yml", d,
                                  [("127.0.0.1:9115", "127.0.0.1:%d" % e.port)])
        st.vm = world.server("victoria-metrics", vm_argv(cfg), "/health")
    return st


def check_vm_scrape(world):
    """VictoriaMetrics scrapes nsprobe through config/scrape/victoriametrics.yml: probe_success
    is 1 for every job, zone, server and family; SOA serials agree for example.com (ns2 is
    ns1's secondary) and differ for example.net; nsprobe's own metrics arrive too."""
    st = get_vm(world)
    port = st.vm.port
    poll(lambda: success_matches(port, expected_success()), DEADLINE, "all 16 probes succeeding")

    def serials():
        by_zone = {}
        for m, v in query(port, 'probe_dns_serial{job="dns_soa"}'):
            by_zone.setdefault(m["zone"], {})[(m["server"], m["family"])] = v
        com, net = by_zone.get("example.com", {}), by_zone.get("example.net", {})
        ok = (len(com) == 4 and len(set(com.values())) == 1 and len(net) == 4
              and net[("ns1", "ipv4")] == net[("ns1", "ipv6")]
              and net[("ns2", "ipv4")] == net[("ns2", "ipv6")]
              and net[("ns1", "ipv4")] != net[("ns2", "ipv4")])
        return ok, by_zone
    poll(serials, DEADLINE, "serials: example.com equal, example.net different")

    def own():
        up = query(port, 'up{job="nsprobe"}')
        rl = query(port, 'blackbox_exporter_config_last_reload_successful{job="nsprobe"}')
        return [v for _m, v in up] == [1.0] and [v for _m, v in rl] == [1.0], (up, rl)
    poll(own, DEADLINE, "up and config_last_reload_successful of job nsprobe")
    return "probe_success for 2 jobs x 2 zones x 2 servers x 2 families, serials, nsprobe's /metrics"


def check_vm_health_row(world):
    """Every query of the dashboard's exporter health row (Grafana's $__rate_interval as 5s)
    answers with series in VictoriaMetrics scraping nsprobe's /metrics: probe rates by module and
    result, in flight, p50/p99 from the duration histogram (finite, under the modules' timeouts),
    rejected connections and accept errors, DNSSEC budgets exhausted."""
    st = get_vm(world)
    with open(os.path.join(stack.CONFIG, "grafana", "nsprobe-dns.json")) as f:
        panels = row_panels(json.load(f), HEALTH_ROW)
    exprs = [(p["title"], t["expr"].replace("$__rate_interval", "5s")) for p in panels for t in p["targets"]]

    def pred():
        empty, bad = [], []
        for title, e in exprs:
            r = query(st.vm.port, e)
            if not r:
                empty.append(e)
            if "histogram_quantile" in e and not all(0 < v < 10 for _m, v in r):
                bad.append((e, r[:3]))
            if "nsprobe_probes_total" in e and not any(m.get("result") == "success" and v > 0 for m, v in r):
                bad.append((e, r[:3]))
        return not empty and not bad, {"empty": empty, "bad": bad}
    poll(pred, DEADLINE, "every query of the exporter health row answering")
    return "%d queries of row %r" % (len(exprs), HEALTH_ROW)


def get_vmalert(world):
    st = get_vm(world)
    if st.vmalert is None:
        rules = world.fast_rules(os.path.join(world.dir, "vmalert-rules", "nsprobe.rules.yml"))
        st.receiver = world.receiver()
        argv = [stack.tool("vmalert", "victoria-metrics"), "-rule=" + rules,
                "-datasource.url=http://127.0.0.1:%d" % st.vm.port,
                "-notifier.url=http://127.0.0.1:%d" % st.receiver.port,
                "-httpListenAddr=127.0.0.1:{port}", "-evaluationInterval=1s",
                "-external.url=http://127.0.0.1:{port}", "-loggerLevel=WARN"]
        st.vmalert = world.server("vmalert", argv, "/health")
    return st


def check_vmalert_divergence(world):
    """vmalert on config/alerts/nsprobe.rules.yml fires DNSSOASerialDivergence for example.net
    (ns1 and ns2 serve different serials) and not for example.com; no probe-failure alert."""
    st = get_vmalert(world)

    def pred():
        div = firing(st.vmalert.port, "DNSSOASerialDivergence")
        zones = sorted(a.get("zone") for a in div)
        failed = firing(st.vmalert.port, "DNSResolutionProbeFailed")
        module = firing(st.vmalert.port, "NsprobeModuleFailingWhereOthersSucceed")
        return zones == ["example.net"] and not failed and not module, (zones, failed, module)
    poll(pred, DEADLINE, "DNSSOASerialDivergence for example.net only")
    poll(lambda: (any(a.get("alertname") == "DNSSOASerialDivergence" for a in st.receiver.names()),
                  len(st.receiver.names())), DEADLINE, "the alert sent to the notifier")
    return "fired for example.net, sent to the notifier"


def check_vm_stopped_server(world):
    """ns2 stopped: its 8 probes (2 jobs x 2 zones x 2 families) report probe_success 0 in
    VictoriaMetrics while ns1's stay 1."""
    st = get_vm(world)
    world.stop_knot("ns2")
    poll(lambda: success_matches(st.vm.port, expected_success(down=("ns2",))), DEADLINE,
         "ns2's probes failing, ns1's succeeding")
    return "ns2 -> 0, ns1 -> 1"


def check_vmalert_failure(world):
    """With ns2 stopped, vmalert fires DNSResolutionProbeFailed and DNSSECProbeFailed for
    server ns2 in both zones and families, and for nothing on ns1."""
    st = get_vmalert(world)
    want = sorted((z, "ns2", f) for z in ZONES for f in FAMILIES)

    def pred():
        got = {}
        for name in ("DNSResolutionProbeFailed", "DNSSECProbeFailed"):
            got[name] = sorted(key(a, "zone", "server", "family")
                               for a in firing(st.vmalert.port, name))
        return all(v == want for v in got.values()), got
    poll(pred, DEADLINE, "probe-failure alerts for ns2")
    names = {a.get("alertname") for a in st.receiver.names()}
    poll(lambda: ({"DNSResolutionProbeFailed", "DNSSECProbeFailed"}
                  <= {a.get("alertname") for a in st.receiver.names()}, names),
         DEADLINE, "the failure alerts sent to the notifier")
    # A server down fails every module on it: that is not a module nsprobe fails wrongly. The
    # failure alerts above have fired with the same 2 s `for:`, so this one would have too.
    module = firing(st.vmalert.port, "NsprobeModuleFailingWhereOthersSucceed")
    if module:
        raise AssertionError("NsprobeModuleFailingWhereOthersSucceed fired for a stopped server: %s" % module)
    return "4 + 4 alerts on ns2, none on ns1, no module alert"


# --- scale-out ------------------------------------------------------------------------------------

def sink(world):
    st = getattr(world, "_sink", None)
    if st is None:
        d = os.path.join(world.dir, "sink-config")
        e0, e1 = world.nsprobe(0), world.nsprobe(1)
        cfg = world.scrape_config("spread-over-nsprobes.yml", d, [
            ("nsprobe-1.example:9115", "127.0.0.1:%d" % e0.port),
            ("nsprobe-2.example:9115", "127.0.0.1:%d" % e1.port)])
        st = world.server("vm-sink", vm_argv(cfg), "/health")
        world._sink = st
    return st


def check_vmagent_cluster(world):
    """Two vmagents in cluster mode (-promscrape.cluster.membersCount=2, memberNum 0 and 1) with
    the same config/scrape/victoriametrics.yml share the targets: every probe series comes from
    exactly one member, both members scrape some, and all succeed. The members must run the very
    same file: vmagent hashes the labels after relabelling, __address__ included, so a per-member
    nsprobe address would lose some targets and double others (hence 127.0.0.1:9115 on every
    host). Both members use one nsprobe here: a second one could not have the same address."""
    vmagent = stack.tool("vmagent", "victoria-metrics")
    st = sink(world)
    e = world.nsprobe(0)
    d = os.path.join(world.dir, "vmagent-config")
    cfg = world.scrape_config("victoriametrics.yml", d, [("127.0.0.1:9115", "127.0.0.1:%d" % e.port)])
    for i in (0, 1):
        world.server("vmagent%d" % i, [
            vmagent, "-httpListenAddr=127.0.0.1:{port}", "-promscrape.config=" + cfg,
            "-promscrape.cluster.membersCount=2", "-promscrape.cluster.memberNum=%d" % i,
            "-remoteWrite.url=http://127.0.0.1:%d/api/v1/write" % st.port,
            "-remoteWrite.tmpDataPath={dir}/buffer", "-remoteWrite.label=vmagent=%d" % i,
            "-loggerLevel=WARN"], "/health")

    def pred():
        members = {}
        for m, v in query(st.port, 'probe_success{vmagent!=""}'):
            k = key(m, "job", "zone", "server", "family")
            members.setdefault(k, []).append((m["vmagent"], v))
        ok = (set(members) == set(expected_success())
              and all(len(v) == 1 and v[0][1] == 1.0 for v in members.values())
              and {v[0][0] for v in members.values()} == {"0", "1"})
        per = {}
        for v in members.values():
            per[v[0][0]] = per.get(v[0][0], 0) + 1
        return ok, "targets per member %s, %d series" % (sorted(per.items()), len(members))
    return poll(pred, DEADLINE, "16 probe series split between the two vmagents")


def check_spread_over_nsprobes(world):
    """One VictoriaMetrics scraping through config/scrape/spread-over-nsprobes.yml spreads the
    targets over two nsprobe instances by hashmod: each probe series carries exactly one
    `prober`, both nsprobes are used, all probes succeed."""
    st = sink(world)
    e0, e1 = world.nsprobe(0), world.nsprobe(1)
    probers = {"127.0.0.1:%d" % e0.port, "127.0.0.1:%d" % e1.port}

    def pred():
        seen = {}
        for m, v in query(st.port, 'probe_success{prober!=""}'):
            seen.setdefault(key(m, "job", "zone", "server", "family"), []).append((m["prober"], v))
        ok = (set(seen) == set(expected_success())
              and all(len(v) == 1 and v[0][1] == 1.0 for v in seen.values())
              and {v[0][0] for v in seen.values()} == probers)
        per = {}
        for v in seen.values():
            per[v[0][0]] = per.get(v[0][0], 0) + 1
        return ok, "probes per nsprobe %s" % sorted(per.items())
    return poll(pred, DEADLINE, "16 probe series spread over two nsprobes")


# --- Prometheus -------------------------------------------------------------------------------------

def get_prometheus(world, name="prometheus.yml", server_name="prometheus", pairs=()):
    prom = stack.tool("prometheus", "prometheus")
    e = world.nsprobe(0)
    base = os.path.join(world.dir, server_name + "-config")
    cfg = world.scrape_config(name, os.path.join(base, "scrape"),
                              [("127.0.0.1:9115", "127.0.0.1:%d" % e.port)] + list(pairs))
    world.fast_rules(os.path.join(base, "alerts", "nsprobe.rules.yml"))
    # Loopback only, data in the temp dir; Prometheus 2.42 sends nothing anywhere by itself.
    return world.server(server_name, [prom, "--config.file=" + cfg,
                                      "--web.listen-address=127.0.0.1:{port}",
                                      "--storage.tsdb.path={dir}/data", "--log.level=warn"],
                        "/-/ready")


def check_prometheus_scrape_and_alerts(world):
    """Prometheus with config/scrape/prometheus.yml (its rule_files: the shipped rules): every
    probe succeeds and DNSSOASerialDivergence fires for example.net only."""
    p = get_prometheus(world)
    poll(lambda: success_matches(p.port, expected_success()), DEADLINE, "all 16 probes succeeding")

    def pred():
        zones = sorted(a.get("zone") for a in firing(p.port, "DNSSOASerialDivergence"))
        return zones == ["example.net"], zones
    poll(pred, DEADLINE, "DNSSOASerialDivergence for example.net")
    return "16 probes up, divergence alert for example.net"


def check_prometheus_shards(world):
    """Two Prometheus servers on config/scrape/prometheus-shard.yml (shard 0 and shard 1) keep
    disjoint sets of DNS targets whose union is all 16."""
    kept = {}
    retried = []
    for shard in ("0", "1"):
        pairs = [('shard: "0"', 'shard: "%s"' % shard), ('regex: "0"                      # this',
                                                          'regex: "%s"                      # this' % shard)]
        def pred(p):
            # Discovery is done when every DNS target is either kept (active) or dropped by the
            # shard's keep rule; the kept set may be empty, since the hash decides the split.
            data = stack.get_json(p.port, "/api/v1/targets?state=any")["data"]
            t = data["activeTargets"]
            keys = {(x["labels"]["job"],) + key(x["labels"], "zone", "server", "family")
                    for x in t if x["labels"]["job"] != "nsprobe"}
            dropped = [x for x in data.get("droppedTargets", [])
                       if x.get("discoveredLabels", {}).get("job") != "nsprobe"]
            return len(keys) + len(dropped) == len(expected_success()), keys
        # Twice in CI (ASan run, 2 CPUs shared) a shard's Prometheus discovered no DNS target in
        # 45 s, and the same run passed on rerun; the cause is not known yet. One fresh Prometheus
        # is tried before failing, and the retry is said in the result so it stays visible.
        for attempt in (1, 2):
            p = get_prometheus(world, "prometheus-shard.yml", "prometheus-shard%s-%d" % (shard, attempt),
                               pairs)
            try:
                kept[shard] = poll(lambda p=p: pred(p), DEADLINE, "shard %s's active targets" % shard)
                break
            except StackError:
                if attempt == 2:
                    raise
                retried.append(shard)
            finally:
                p.stop()
    both = kept["0"] | kept["1"]
    if kept["0"] & kept["1"]:
        raise AssertionError("targets in both shards: %s" % sorted(kept["0"] & kept["1"]))
    if both != set(expected_success()):
        raise AssertionError("union is not all 16: %s" % sorted(both))
    return "shard 0: %d targets, shard 1: %d%s" % (len(kept["0"]), len(kept["1"]),
                                                  " (retried shard %s)" % ",".join(retried) if retried else "")


def checks(group):
    if group == "victoriametrics":
        return [
            ("victoriametrics/scrape", check_vm_scrape),
            ("victoriametrics/dashboard-health-row", check_vm_health_row),
            ("vmalert/serial-divergence", check_vmalert_divergence),
            ("vmagent/cluster-mode", check_vmagent_cluster),
            ("victoriametrics/spread-over-nsprobes", check_spread_over_nsprobes),
            ("victoriametrics/stopped-server", check_vm_stopped_server),
            ("vmalert/probe-failed", check_vmalert_failure),
        ]
    return [
        ("prometheus/scrape-and-alerts", check_prometheus_scrape_and_alerts),
        ("prometheus/hashmod-shards", check_prometheus_shards),
    ]
