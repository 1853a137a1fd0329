#!/usr/bin/env python3
"""gen.py -- captures signed DNS answers for test/unit/dns/test_dnssec.c (run once; the output is committed).

What it does, on loopback only:
  1. writes test zones: some signed online by Knot (ECDSA P-256/P-384, Ed25519, Ed448, RSA-SHA256
     with a KSK+ZSK split, RSA-SHA512), some pre-signed with ldns-signzone and broken on purpose
     (expired, not yet valid, a flipped signature byte, the signing key removed, a short-lived
     signature), served by Knot with signing off;
  2. starts knotd on a random 127.0.0.x and a port proven free, and asks each question with DO=1
     from a tiny stdlib client, keeping the raw reply bytes (and the zone's DNSKEY reply);
  3. asks the same questions with `kdig +dnssec` and reads the RRSIGs' times, key tags and
     algorithms from its text: those are the expected values;
  4. has independent validators judge each case: `ldns-verify-zone -t <now>` on the zone file (the
     AXFR of the Knot-signed ones) and `delv` (BIND 9.18) on the answer, with the zone's KSK as
     trust anchor. The script stops if a validator disagrees with the verdict the case expects;
  5. writes cases.txt (format at the top of that file).

Needs: knot (knotd, kdig), ldnsutils, bind9-dnsutils (delv). Usage: python3 gen.py [outfile]
"""
import calendar
import os
import random
import re
import secrets
import shutil
import socket
import struct
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.join(HERE, "..", ".."))  # test/: the harness package
from harness import signzone  # noqa: E402
from harness.knot import knot_config  # noqa: E402
OUT = sys.argv[1] if len(sys.argv) > 1 else os.path.join(HERE, "cases.txt")

NOW = int(time.time())

# The zones (Knot-signed: name -> policy lines; ldns-signed: name -> algorithm, inception and
# expiration offsets from NOW, breakage) and their text, shared with test/dnssec/world.py
KNOT_ZONES = signzone.KNOT_ZONES
LDNS_ZONES = signzone.LDNS_ZONES
ZONE = signzone.ZONE

MIN_VALIDITY = 72 * 3600
BROKEN = ("expired.test", "notyet.test", "bogus.test", "nokey.test")


def log(*a):
    print(*a, file=sys.stderr, flush=True)


def run(cmd, check=True, **kw):
    r = subprocess.run(cmd, capture_output=True, text=True, **kw)
    if check and r.returncode != 0:
        raise SystemExit(f"{' '.join(cmd)} failed ({r.returncode}): {r.stderr}{r.stdout}")
    return r


def free_endpoint():
    """A 127.0.0.x and a port where both UDP and TCP binds succeed right now."""
    for _ in range(50):
        addr = f"127.0.0.{random.randint(2, 250)}"
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        try:
            u.bind((addr, 0))
            port = u.getsockname()[1]
            t.bind((addr, port))
            return addr, port
        except OSError:
            continue
        finally:
            u.close()
            t.close()
    raise SystemExit("no free loopback port")


# ------------------------------------------------------------------------------------------------
# A minimal DNS client: one question, EDNS0 with DO=1, TCP if truncated.

TYPES = {"A": 1, "NS": 2, "CNAME": 5, "SOA": 6, "MX": 15, "TXT": 16, "AAAA": 28, "DNSKEY": 48}


def qname_wire(name):
    out = b""
    for label in name.rstrip(".").split("."):
        out += bytes([len(label)]) + label.encode()
    return out + b"\0"


def query(addr, port, name, qtype):
    qid = secrets.randbelow(65536)
    msg = struct.pack(">HHHHHH", qid, 0, 1, 0, 0, 1)  # RD=0: Knot is authoritative
    msg += qname_wire(name) + struct.pack(">HH", TYPES[qtype], 1)
    msg += b"\0" + struct.pack(">HHIH", 41, 4096, 0x8000, 0)  # RFC 6891 OPT, DO (RFC 3225)
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    s.settimeout(3)
    s.sendto(msg, (addr, port))
    reply, _ = s.recvfrom(65535)
    s.close()
    if struct.unpack(">H", reply[:2])[0] != qid:
        raise SystemExit("id mismatch")
    if struct.unpack(">H", reply[2:4])[0] & 0x0200:  # TC
        t = socket.create_connection((addr, port), timeout=3)
        t.sendall(struct.pack(">H", len(msg)) + msg)
        ln = struct.unpack(">H", t.recv(2, socket.MSG_WAITALL))[0]
        reply = t.recv(ln, socket.MSG_WAITALL)
        t.close()
    return reply


# ------------------------------------------------------------------------------------------------
# kdig's view of the RRSIGs (the expected times, tags and algorithms)

def ts(s):
    return calendar.timegm(time.strptime(s, "%Y%m%d%H%M%S"))


def kdig_answer(addr, port, name, qtype):
    r = run(["kdig", "+dnssec", "+bufsize=4096", "+norec", "+noall", "+answer", "+nocrypto",
             f"@{addr}", "-p", str(port), name, qtype])
    rrs = []
    for line in r.stdout.splitlines():
        f = line.split()
        if len(f) < 5 or line.startswith(";"):
            continue
        rrs.append(f)
    return rrs


def rrsets_from_kdig(rrs):
    """[(owner, type, [rrsig dicts])] in first-appearance order, RRSIGs in message order."""
    sets = []
    index = {}
    for f in rrs:
        owner, rtype = f[0].lower(), f[3]
        if rtype == "RRSIG":
            continue
        if (owner, rtype) not in index:
            index[(owner, rtype)] = len(sets)
            sets.append((owner, rtype, []))
    for f in rrs:
        if f[3] != "RRSIG":
            continue
        owner = f[0].lower()
        covered = f[4]
        sig = dict(alg=int(f[5]), labels=int(f[6]), exp=ts(f[8]), inc=ts(f[9]), tag=int(f[10]),
                   signer=f[11].lower())
        if (owner, covered) in index:
            sets[index[(owner, covered)]][2].append(sig)
    return sets


# ------------------------------------------------------------------------------------------------
# Independent validators

def ldns_verify(path, extra=()):
    r = run(["ldns-verify-zone", "-V", "2", "-t", time.strftime("%Y%m%d%H%M%S", time.gmtime(NOW)),
             *extra, path], check=False)
    return r.returncode == 0, (r.stderr + r.stdout).splitlines()


def ldns_summary(lines, name, qtype):
    """The validator's errors about this RRset, else its last line."""
    want = f" {name.lower()}. {qtype.lower()}"
    flat = [" ".join(ln.split()) for ln in lines]
    mine = [ln for ln in flat if (ln.lower() + " ").find(want + " ") >= 0]
    if mine:
        return "; ".join(mine)
    return "no error for this RRset" + (f"; {flat[-1]}" if flat else "")


def delv(addr, port, tmp, zone, name, qtype, anchor):
    conf = os.path.join(tmp, f"anchor-{zone}.conf")
    with open(conf, "w") as f:
        f.write("trust-anchors {\n")
        for flags, proto, alg, key in anchor:
            f.write(f'  {zone}. static-key {flags} {proto} {alg} "{key}";\n')
        f.write("};\n")
    r = run(["delv", f"@{addr}", "-p", str(port), "-a", conf, f"+root={zone}", "+nortrace",
             name, qtype], check=False)
    text = " ".join((r.stderr + r.stdout).split())
    ok = "; fully validated" in r.stdout
    why = re.findall(r"resolution failed: [^;]*|; fully validated|; unsigned answer", text)
    return ok, (why[0] if why else text[:160])


def ksk_of(addr, port, zone):
    out = run(["kdig", "+norec", "+short", f"@{addr}", "-p", str(port), zone, "DNSKEY"]).stdout
    keys = []
    for line in out.splitlines():
        f = line.split()
        if len(f) >= 4 and f[0] == "257":
            keys.append((f[0], f[1], f[2], "".join(f[3:])))
    return keys


# ------------------------------------------------------------------------------------------------

def main():
    for tool in ("knotd", "kdig", "ldns-signzone", "ldns-verify-zone", "delv"):
        if shutil.which(tool) is None:
            raise SystemExit(f"{tool} not found (apt-get install knot knot-dnsutils ldnsutils "
                             "bind9-dnsutils)")
    tmp = tempfile.mkdtemp(prefix="nsprobe-dnssec-")
    for sub in ("run", "db", "zones"):
        os.makedirs(os.path.join(tmp, sub))
    addr, port = free_endpoint()
    log(f"knotd on {addr}@{port}, dir {tmp}, now {NOW}")

    for zone in KNOT_ZONES:
        with open(os.path.join(tmp, "zones", f"{zone}.zone"), "w") as f:
            f.write(ZONE.format(z=zone, Z=zone.upper()))
    ldns_files = {z: signzone.write_ldns_zone(tmp, z, s, NOW, run=run) for z, s in LDNS_ZONES.items()}

    zones = [(f"{z}.", ["dnssec-signing: on", f"dnssec-policy: {z.split('.')[0]}"]) for z in KNOT_ZONES]
    zones += [(f"{z}.", ["dnssec-signing: off"]) for z in LDNS_ZONES]
    conf = knot_config(tmp, [f"{addr}@{port}"], zones, workers=None, keystore=False,
                       log=["target: stderr", "any: warning"],
                       policies={z.split(".")[0]: lines for z, lines in KNOT_ZONES.items()},
                       acl=[("xfr", "127.0.0.0/8", "transfer")], template=["acl: xfr"],
                       generator="test/data/dnssec/gen.py")
    cpath = os.path.join(tmp, "knot.conf")
    with open(cpath, "w") as f:
        f.write(conf)

    knot = subprocess.Popen(["knotd", "-c", cpath], stderr=open(os.path.join(tmp, "knot.log"), "w"))
    try:
        # ready when every Knot zone answers with a signed SOA
        for _ in range(100):
            try:
                if all(b"\x00\x2e" in query(addr, port, z, "SOA") for z in KNOT_ZONES):
                    break
            except (OSError, socket.timeout):
                pass
            time.sleep(0.1)
        else:
            raise SystemExit("knotd did not come up: " + open(os.path.join(tmp, "knot.log")).read())
        cases = collect(tmp, addr, port, ldns_files)
    finally:
        knot.terminate()
        knot.wait()
    write(cases)
    shutil.rmtree(tmp)
    log(f"wrote {len(cases)} cases to {OUT}")


def collect(tmp, addr, port, ldns_files):
    cases = []
    # Independent judgement of each zone as a whole
    zone_oracle = {}
    for zone in KNOT_ZONES:
        axfr = run(["kdig", f"@{addr}", "-p", str(port), zone, "AXFR", "+nocomments"]).stdout
        path = os.path.join(tmp, f"{zone}.axfr")
        with open(path, "w") as f:
            f.write(axfr)
        zone_oracle[zone] = ldns_verify(path)
    for zone, path in ldns_files.items():
        zone_oracle[zone] = ldns_verify(path)

    def add(cid, zone, name, qtype, reasons, min_validity=0, valid=None, ok=None, oracle_ok=True):
        """reasons: per RRset of the answer, in order (a single value applies to all)."""
        msg = query(addr, port, name, qtype)
        keys = query(addr, port, zone, "DNSKEY")
        sets = rrsets_from_kdig(kdig_answer(addr, port, name, qtype))
        zok, ztext = zone_oracle[zone]
        dok, dtext = delv(addr, port, tmp, zone, name, qtype, ksk_of(addr, port, zone))
        zone_ok = zone not in BROKEN
        if zok != zone_ok or dok != oracle_ok:
            raise SystemExit(f"{cid}: validators disagree with the expected verdict "
                             f"(want {oracle_ok}): ldns-verify-zone {zok} {ztext[-3:]!r}; delv {dok} {dtext!r}")
        if isinstance(reasons, str):
            reasons = [reasons] * len(sets)
        rrsets = []
        all_sigs = []
        for (owner, rtype, sigs), reason in zip(sets, reasons):
            all_sigs += sigs
            if not sigs:
                rrsets.append((owner, rtype, reason, 0, 0, 0, 0, 0))
                continue
            # the RRSIG a verdict reports: for ok, the one that expires last (first on a tie)
            best = sigs[0]
            if reason in ("ok", "expiring"):
                for s in sigs:
                    if s["exp"] > best["exp"]:
                        best = s
            labels = len(owner.rstrip(".").split("."))
            wild = 1 if best["labels"] < labels and not owner.startswith("*.") else 0
            rrsets.append((owner, rtype, reason, best["tag"], best["alg"], best["inc"], best["exp"], wild))
        if valid is None:
            valid = all(r[2] in ("ok", "expiring") for r in rrsets)
        if ok is None:
            ok = all(r[2] == "ok" for r in rrsets)
        cases.append(dict(
            id=cid, now=NOW, min_validity=min_validity, msg=msg.hex(), keys=keys.hex(),
            valid=int(valid), ok=int(ok), rrsets=rrsets,
            earliest=min(s["exp"] for s in all_sigs), latest=max(s["inc"] for s in all_sigs),
            oracle=[f"ldns-verify-zone: {'ok' if zok else 'bogus'} ({ldns_summary(ztext, name, qtype)})",
                    f"delv {name} {qtype}: {dtext}"]))
        log(f"{cid}: {reasons} ldns-verify-zone={zok} delv={dok}")

    for zone in KNOT_ZONES:
        z = zone.split(".")[0]
        mixed = "".join(c.upper() if i % 2 else c for i, c in enumerate(f"www.{zone}"))
        add(f"{z}-www-A", zone, mixed, "A", "ok")
        add(f"{z}-DNSKEY", zone, zone, "DNSKEY", "ok")
        add(f"{z}-SOA", zone, zone, "SOA", "ok")
        add(f"{z}-MX", zone, zone, "MX", "ok")
        add(f"{z}-TXT", zone, f"txt.{zone}", "TXT", "ok")
        add(f"{z}-wildcard", zone, f"foo.wild.{zone}", "A", "ok")
        add(f"{z}-cname", zone, f"alias.{zone}", "A", "ok")
        add(f"{z}-NS", zone, zone, "NS", "ok")

    add("expired-www-A", "expired.test", "www.expired.test", "A", "expired", oracle_ok=False)
    add("expired-DNSKEY", "expired.test", "expired.test", "DNSKEY", "expired", oracle_ok=False)
    add("notyet-www-A", "notyet.test", "www.notyet.test", "A", "not yet valid", oracle_ok=False)
    add("bogus-www-A", "bogus.test", "www.bogus.test", "A", "bad signature", oracle_ok=False)
    add("bogus-mail-A", "bogus.test", "mail.bogus.test", "A", "ok")
    add("nokey-www-A", "nokey.test", "www.nokey.test", "A", "no matching key", oracle_ok=False)
    add("short-www-A", "short.test", "www.short.test", "A", "ok")
    # the same answer with min_validity 72h: ldns-verify-zone -e P3D agrees it is too short
    zok, ztext = ldns_verify(ldns_files["short.test"], ["-e", "P3D"])
    if zok:
        raise SystemExit("ldns-verify-zone -e P3D accepted the short-lived zone")
    add("short-www-A-min72h", "short.test", "www.short.test", "A", "expiring",
        min_validity=MIN_VALIDITY)
    cases[-1]["oracle"].append("ldns-verify-zone -e P3D: bogus (" +
                               ldns_summary(ztext, "www.short.test", "A") + ")")
    return cases


def write(cases):
    with open(OUT, "w") as f:
        f.write(f"""# Signed answers captured by gen.py on {time.strftime('%Y-%m-%d %H:%M:%S', time.gmtime(NOW))} UTC (knotd {run(['knotd', '-V']).stdout.split()[-1]}).
# One block per case:
#   case <id> <now unix> <min_validity s>
#   msg <reply hex>          the answer to the question, asked with DO=1
#   keys <reply hex>         the zone's DNSKEY answer from the same server
#   expect <valid> <ok> <rrsets> <earliest expiry> <latest inception>
#   rrset <owner> <type> <reason> <key tag> <algorithm> <inception> <expiration> <wildcard>
#   oracle <independent validator's verdict>   (not read by the test)
#   end
# Times, tags and algorithms come from kdig +dnssec; reasons are dnssec_reason_name() texts.
""")
        for c in cases:
            f.write(f"case {c['id']} {c['now']} {c['min_validity']}\n")
            f.write(f"msg {c['msg']}\nkeys {c['keys']}\n")
            f.write(f"expect {c['valid']} {c['ok']} {len(c['rrsets'])} {c['earliest']} {c['latest']}\n")
            for r in c["rrsets"]:
                owner, rtype, reason = r[0], r[1], r[2].replace(" ", "_")
                f.write(f"rrset {owner} {rtype} {reason} {' '.join(str(x) for x in r[3:])}\n")
            for o in c["oracle"]:
                f.write(f"oracle {o}\n")
            f.write("end\n")


if __name__ == "__main__":
    main()
