"""valcases -- the validation cases: id -> Case (what it breaks and which RFC rule, the query, how
the zone is signed and altered). valworld.py builds each zone <id>.test from BASE.

A case's expected verdict is the oracles' when delv and unbound-host agree. Where they disagree,
`rule` names the RFC text that decides and `expect` is its verdict. `insecure` says what a probe
should report when both oracles call the answer insecure (default: fail, as nothing was proven).
"""

import dns.name
import dns.rdata
import dns.rdataset
import dns.rdatatype
import dns.rrset

DAY = 86400


class Case:
    def __init__(self, what, q, qtype="A", nx=False, expect=None, rule="", insecure=False, rewrite=None,
                 probe_must=None, **spec):
        self.probe_must = probe_must  # "pass"/"fail": the probe's verdict whatever the oracles say
        self.rewrite = rewrite  # fn(zone, dns.message.Message): the answer altered on its way (relay)
        self.what = what
        self.q = q              # query name relative to the zone
        self.qtype = qtype
        self.nx = nx            # NXDOMAIN expected (valid_rcodes)
        self.expect = expect    # "secure" / "bogus" when the oracles may disagree
        self.rule = rule
        self.insecure_passes = insecure
        self.spec = spec


# --- alterations -------------------------------------------------------------------------------

def wild_replay_existing(c):
    # real.wild keeps its name but serves the wildcard's data and RRSIG (labels 3: *.wild.<zone>)
    c.set_rrset("real.wild", "A", ["192.0.2.30"])
    c.put("real.wild", c.sigs("*.wild", "A"))


def wild_replay_nx(c):
    c.set_rrset("forged.wild", "A", ["192.0.2.30"])
    c.put("forged.wild", c.sigs("*.wild", "A"))


def n3_wild_replay_nx(c):
    wild_replay_nx(c)


def labels_below_signer(c):
    # www A signed as if owned by *.test. (labels 1 < the signer's 2), valid over that name
    rr = c.rrset("www", "A")
    fake = dns.rrset.RRset(dns.name.from_text("*.test."), rr.rdclass, rr.rdtype)
    fake.update(rr)
    c.sign(fake, owner=c.n("www"))


def _set_nsec(c, owner, next_name=None, add_types=()):
    old = c.zone.find_rdataset(owner, "NSEC")[0]
    types = sorted(set(old.to_text().split()[1:]) | set(add_types), key=dns.rdatatype.from_text)
    nxt = next_name if next_name is not None else old.next
    c.set_rrset(owner, "NSEC", ["%s %s" % (nxt, " ".join(types))])
    c.resign(owner, "NSEC")


def nsec_nocover(c):
    q = c.n("nx")
    o = c.nsec_covering(q)
    _set_nsec(c, o, dns.name.Name((b"\x00",) + o.labels))   # covers only (o, \000.o)
    if o == c.origin:
        raise AssertionError("the apex NSEC covers nx: the case would break the wildcard proof too")


def nsec_nowild(c):
    # the apex NSEC ends at \000.<zone>, below *.<zone>: the wildcard is no longer denied
    _set_nsec(c, c.origin, dns.name.Name((b"\x00",) + c.origin.labels))


def nsec_bitmap(t):
    def f(c):
        _set_nsec(c, c.n("www"), add_types=(t,))
    return f


def drop_sig(rel, covers):
    def f(c):
        c.drop_sigs(rel, covers)
    return f


def nsec_nx_unsigned(c):
    c.drop_sigs(c.nsec_covering(c.n("nx")), "NSEC")


def _set_nsec3(c, owner, next_label=None, add_types=()):
    old = c.zone.find_rdataset(owner, "NSEC3")[0]
    text = old.to_text().split()
    # alg flags iterations salt next types...
    if next_label is not None:
        text[4] = next_label.upper()
    types = sorted(set(text[5:]) | set(add_types), key=dns.rdatatype.from_text)
    c.set_rrset(owner, "NSEC3", [" ".join(text[:5] + types)])
    c.resign(owner, "NSEC3")


def n3_bitmap(t):
    def f(c):
        _set_nsec3(c, c.nsec3_for(c.n("www"), match=True), add_types=(t,))
    return f


def _n3_pick(c):
    """A query name whose next closer (itself) is covered by an NSEC3 that neither matches the apex
    nor covers *.<zone>."""
    wild = c.nsec3_for(c.n("*"))
    apex = c.nsec3_for(c.origin, match=True)
    for i in range(200):
        q = c.n("nx%d" % i)
        o = c.nsec3_for(q)
        if o not in (wild, apex):
            c.qname = q
            return q, o, wild, apex
    raise AssertionError("no query name apart from the wildcard's NSEC3")


def n3_next_closer_uncovered(c):
    _q, o, _w, _a = _n3_pick(c)
    _set_nsec3(c, o, next_label=__import__("valworld").b32hex_next(o.labels[0].decode().lower()))


def n3_nowild(c):
    _q, _o, w, _a = _n3_pick(c)
    _set_nsec3(c, w, next_label=__import__("valworld").b32hex_next(w.labels[0].decode().lower()))


def n3_no_closest_encloser(c):
    _q, _o, _w, apex = _n3_pick(c)
    c.zone.delete_rdataset(apex, "NSEC3")
    c.zone.delete_rdataset(apex, "RRSIG", "NSEC3")


def n3_pick_only(c):
    _n3_pick(c)


def cname_target_unsigned(c):
    c.drop_sigs("www", "A")


def key_revoked(c):
    ksk = c.keys["ksk"]
    k = ksk.dnskey
    revoked = dns.rdata.from_text("IN", "DNSKEY", "%d %d %d %s" % (
        k.flags | 0x80, k.protocol, k.algorithm, k.to_text().split(None, 3)[3]))
    zsk = c.keys["zsk"].dnskey
    c.set_rrset("@", "DNSKEY", [revoked.to_text(), zsk.to_text()])
    c.sign(c.rrset("@", "DNSKEY"), "ksk", dnskey=revoked)


def _zsk_variant(c, flags=None, proto=None):
    z = c.keys["zsk"].dnskey
    new = dns.rdata.from_text("IN", "DNSKEY", "%d %d %d %s" % (
        z.flags if flags is None else flags, z.protocol if proto is None else proto, z.algorithm,
        z.to_text().split(None, 3)[3]))
    c.set_rrset("@", "DNSKEY", [c.keys["ksk"].dnskey.to_text(), new.to_text()])
    c.resign("@", "DNSKEY", "ksk")
    c.sign(c.rrset("www", "A"), "zsk", dnskey=new)


def signer_is_owner(c):
    # www publishes its own DNSKEY, self-signed, and its A is signed by that key with signer www
    k = c.keys["ksk2"] if "ksk2" in c.keys else None
    z = c.keys["zsk"]
    www = c.n("www")
    c.set_rrset("www", "DNSKEY", [z.dnskey.to_text()])
    c.sign(c.rrset("www", "DNSKEY"), z, signer=www)
    c.sign(c.rrset("www", "A"), z, signer=www)
    del k


def keep_one_alg(c, owner, rtype, key):
    """Leaves `owner` `rtype` only the RRSIGs of the algorithm of key `key`."""
    sigs = c.sigs(owner, rtype)
    rds = dns.rdataset.Rdataset(sigs.rdclass, sigs.rdtype, sigs.covers, sigs.ttl)
    for s in sigs:
        if s.algorithm == c.keys[key].dnskey.algorithm:
            rds.add(s)
    c.put(owner, rds)


def rollover_one_alg(c):
    # both algorithms sign everything; www A keeps only the first algorithm's RRSIG
    keep_one_alg(c, "www", "A", "zsk")


def rollover_dnskey_one_alg(c):
    keep_one_alg(c, "@", "DNSKEY", "ksk")


def unknown_alg_beside(c):
    sigs = c.sigs("www", "A")
    good = list(sigs)[0]
    alien = good.replace(algorithm=200, key_tag=(good.key_tag + 1) & 0xFFFF)
    sigs.add(alien)
    c.put("www", sigs)


def nsec_ent_nochild(c):
    # the NSEC before the empty non-terminal b.ent ends at c.ent: it denies b.ent and everything
    # below it, which the NOERROR answer contradicts
    o = c.nsec_covering(c.n("b.ent"))
    _set_nsec(c, o, c.n("c.ent"))


def nsec_nodata_unsigned(c):
    c.drop_sigs("www", "NSEC")


def n3_nx_unsigned(c):
    _q, o, _w, _a = _n3_pick(c)
    c.drop_sigs(o, "NSEC3")


def key_zsk_revoked(c):
    _zsk_variant(c, flags=256 | 0x80)


def cname_not_synthesis(zone, msg):
    """The relay turns the CNAME synthesized from the DNAME towards mail.<zone>."""
    for i, rr in enumerate(msg.answer):
        if rr.rdtype == dns.rdatatype.CNAME:
            new = dns.rrset.from_text(rr.name, rr.ttl, "IN", "CNAME", "mail.%s." % zone)
            msg.answer[i] = new


# --- the cases -----------------------------------------------------------------------------------

N3 = {"nsec3": True}
NX = {"nx": True}

CASES = {
    # wildcards (RFC 4035 5.3.4, 5.3.2; RFC 5155 8.8)
    "wild-valid": Case("wildcard expansion with its NSEC proof (RFC 4035 5.3.4)", "x.wild"),
    "wild-nodata": Case("NODATA below a wildcard: the wildcard's NSEC and the no-closer-match NSEC "
                        "(RFC 4035 5.4)", "x.wild", "AAAA"),
    "wild-replay-existing": Case("the wildcard's RRSIG replayed onto real.wild, which exists: no NSEC "
                                 "can prove it absent (RFC 4035 5.3.4)", "real.wild", mutate=wild_replay_existing),
    "wild-replay-nx": Case("the wildcard's RRSIG replayed onto forged.wild without the NSEC proof "
                           "(RFC 4035 5.3.4)", "forged.wild", mutate=wild_replay_nx),
    "wild-labels-below-signer": Case("www A signed over *.test. (RRSIG labels 1 < signer's 2) "
                                     "(RFC 4035 5.3.1, 5.3.2)", "www", mutate=labels_below_signer),
    # NSEC denials (RFC 4035 5.4)
    "nsec-nx-valid": Case("NXDOMAIN with the NSEC covering the name and the one denying *.zone "
                          "(RFC 4035 5.4)", "nx", nx=True),
    "nsec-nx-nocover": Case("NXDOMAIN whose signed NSEC does not cover the name (RFC 4035 5.4)", "nx",
                            nx=True, mutate=nsec_nocover),
    "nsec-nx-nowild": Case("NXDOMAIN whose NSECs do not deny the wildcard *.zone (RFC 4035 5.4)", "nx",
                           nx=True, mutate=nsec_nowild),
    "nsec-nx-unsigned": Case("NXDOMAIN whose covering NSEC has no RRSIG (RFC 4035 5.4, 5.3)", "nx",
                             nx=True, mutate=nsec_nx_unsigned),
    "nsec-nodata-valid": Case("NODATA: www's NSEC without AAAA in the bitmap (RFC 4035 5.4)", "www", "AAAA"),
    "nsec-nodata-bitmap-type": Case("NODATA whose NSEC bitmap lists the type asked (RFC 4035 5.4)",
                                    "www", "AAAA", mutate=nsec_bitmap("AAAA")),
    "nsec-nodata-bitmap-cname": Case("NODATA whose NSEC bitmap lists CNAME (RFC 4035 5.4)", "www",
                                     "AAAA", mutate=nsec_bitmap("CNAME")),
    "nsec-ent-valid": Case("NODATA at the empty non-terminal b.ent (RFC 4035 5.4, RFC 4592)", "b.ent"),
    # NSEC3 (RFC 5155 8)
    "n3-nx-valid": Case("NSEC3 NXDOMAIN: closest encloser, next closer, wildcard (RFC 5155 8.4)",
                        "nx", nx=True, **N3),
    "n3-nodata-valid": Case("NSEC3 NODATA: the matching NSEC3 without AAAA (RFC 5155 8.5)", "www",
                            "AAAA", **N3),
    "n3-wild-valid": Case("NSEC3 wildcard expansion with the next closer covered (RFC 5155 8.8)",
                          "x.wild", **N3),
    "n3-ent-valid": Case("NSEC3 NODATA at the empty non-terminal b.ent (RFC 5155 8.5)", "b.ent", **N3),
    "n3-nodata-bitmap-type": Case("NSEC3 NODATA whose bitmap lists the type asked (RFC 5155 8.5)",
                                  "www", "AAAA", mutate=n3_bitmap("AAAA"), **N3),
    "n3-nodata-bitmap-cname": Case("NSEC3 NODATA whose bitmap lists CNAME (RFC 5155 8.5)", "www",
                                   "AAAA", mutate=n3_bitmap("CNAME"), **N3),
    "n3-nx-no-ce": Case("NSEC3 NXDOMAIN without the NSEC3 matching the closest encloser "
                        "(RFC 5155 8.3, 8.4)", None, nx=True, mutate=n3_no_closest_encloser, **N3),
    "n3-nx-next-closer": Case("NSEC3 NXDOMAIN whose NSEC3 does not cover the next closer name "
                              "(RFC 5155 8.3)", None, nx=True, mutate=n3_next_closer_uncovered, **N3),
    "n3-nx-nowild": Case("NSEC3 NXDOMAIN whose NSEC3 does not cover *.zone (RFC 5155 8.4)", None,
                         nx=True, mutate=n3_nowild, **N3),
    "n3-wild-replay-nx": Case("NSEC3 zone: the wildcard's RRSIG replayed onto forged.wild without "
                              "the next closer proof (RFC 5155 8.8)", "forged.wild",
                              mutate=n3_wild_replay_nx, **N3),
    "n3-optout-ds": Case("opt-out NSEC3 proves the unsigned delegation has no DS (RFC 5155 8.6, 9.2)",
                         "insecure", "DS", optout=True, insecure=True,
                         extra="insecure NS ns.elsewhere.example.\n", **N3),
    "n3-iter-100": Case("NSEC3 NXDOMAIN with 100 iterations (RFC 9276 3.2: a validator MAY call "
                        "it insecure or bogus above its limit)", None, nx=True, iterations=100,
                        mutate=n3_pick_only, **N3),
    "n3-iter-200": Case("NSEC3 NXDOMAIN with 200 iterations (RFC 9276 3.2: both validators call "
                        "it insecure, so the denial protects nothing and the probe fails)", None, nx=True,
                        iterations=200, mutate=n3_pick_only, **N3),
    "nsec-ent-nochild": Case("NODATA at b.ent whose NSEC ends at c.ent: it denies b.ent (RFC 4035 5.4)",
                             "b.ent", mutate=nsec_ent_nochild),
    "nsec-nodata-unsigned": Case("NODATA whose NSEC has no RRSIG (RFC 4035 5.4)", "www", "AAAA",
                                 mutate=nsec_nodata_unsigned),
    "n3-nx-unsigned": Case("NSEC3 NXDOMAIN whose next-closer NSEC3 has no RRSIG (RFC 5155 8.3)", None,
                           nx=True, mutate=n3_nx_unsigned, **N3),
    "n3-wild-nodata": Case("NSEC3 NODATA below a wildcard (RFC 5155 8.7)", "x.wild", "AAAA", **N3),
    "n3-salted-valid": Case("NSEC3 with salt abcd, NXDOMAIN (RFC 5155 8.4)", "nx", nx=True, salt="abcd",
                            **N3),
    "n3-optout-nx": Case("NXDOMAIN from an opt-out NSEC3 zone (RFC 5155 8.4, 9.2)", "nx", nx=True,
                         optout=True, insecure=True, extra="insecure NS ns.elsewhere.example.\n",
                         expect="insecure", rule="RFC 5155 9.2: an opt-out NSEC3 covering the next closer "
                         "name does not prove it absent (it may be an unsigned delegation), so the name "
                         "error is insecure, as unbound says; the zone is signed as its owner chose: pass",
                         **N3),
    # CNAME and DNAME (RFC 4035 5.3.3 chains; RFC 6672)
    "cname-valid": Case("CNAME to www in the zone, both signed", "alias"),
    "cname-chain-valid": Case("CNAME chain chain -> alias -> www, all signed", "chain"),
    "cname-target-unsigned": Case("CNAME whose target RRset has no RRSIG (RFC 4035 5.3)", "alias",
                                  mutate=cname_target_unsigned, expect="bogus",
                                  rule="RFC 4035 4.3/5.3: every RRset of a signed zone in the answer "
                                  "must verify; delv reports only the first RRset (the CNAME) it validated"),
    "cname-nx": Case("CNAME to a name that does not exist: NXDOMAIN with its NSEC (RFC 4035 5.4)",
                     "dangling", nx=True),
    "cname-wild": Case("CNAME to a wildcard expansion, with its NSEC (RFC 4035 5.3.4)", "towild"),
    "dname-valid": Case("signed DNAME, the CNAME synthesized unsigned (RFC 6672 5.3.1)", "www.dname"),
    "dname-cname-not-synth": Case("signed DNAME, but the unsigned CNAME beside it is not its synthesis "
                                  "(rewritten on the way by a relay) (RFC 6672 5.3.1)", "www.dname",
                                  rewrite=cname_not_synthesis, probe_must="fail",
                                  rule="both validators drop the server's CNAME and synthesize their own "
                                  "from the signed DNAME (RFC 6672 3.2), so they report secure data; the "
                                  "probe judges the server's answer, whose unsigned CNAME RFC 6672 5.3.1 "
                                  "accepts only when it is the synthesis: fail (issue 14)"),
    "dname-unsigned": Case("DNAME without RRSIG, its synthesized CNAME unsigned (RFC 6672 5.3.1)",
                           "www.dname", mutate=drop_sig("dname", "DNAME")),
    # keys (RFC 4034 2.1.1, 2.1.2; RFC 5011 7; RFC 4035 5.3.1)
    "key-revoked-ksk": Case("the only KSK carries REVOKE; anchor is the key before (RFC 5011 7, "
                            "RFC 4035 5.2)", "www", mutate=key_revoked),
    "key-zsk-nozone": Case("the ZSK lacks the ZONE bit (flags 0) (RFC 4034 2.1.1)", "www",
                           mutate=lambda c: _zsk_variant(c, flags=0)),
    "key-zsk-revoked": Case("the ZSK carries REVOKE and signs www A (RFC 5011 2.1: a revoked key "
                            "validates only the DNSKEY set)", "www", mutate=key_zsk_revoked, expect="bogus",
                            rule="RFC 5011 3: a resolver MUST NOT use a revoked key for any purpose but "
                            "validating the DNSKEY RRset's revocation (unbound 1.17 still uses it)"),
    "key-zsk-proto2": Case("the ZSK has protocol 2 (RFC 4034 2.1.2)", "www",
                           mutate=lambda c: _zsk_variant(c, proto=2)),
    "key-signer-owner": Case("www A signed by a DNSKEY published at www itself, signer www "
                             "(RFC 4035 5.3.1: signer must be the zone apex)", "www",
                             mutate=signer_is_owner),
    "key-dnskey-unsigned": Case("the DNSKEY RRset has no RRSIG, the answer is signed (RFC 4035 5.2)",
                                "www", mutate=drop_sig("@", "DNSKEY")),
    "dnskey-valid": Case("the apex DNSKEY set, signed by the KSK", "@", "DNSKEY"),
    # algorithms (RFC 6840 5.11, RFC 4035 5.2)
    "alg-rollover-one": Case("DNSKEY set of algorithms 13 and 15, www A signed by 13 only "
                             "(RFC 6840 5.11)", "www", algs=[13, 15], mutate=rollover_one_alg),
    "alg-rollover-dnskey": Case("DNSKEY set of 13 and 15 signed by 13 only (RFC 6840 5.11)", "@",
                                "DNSKEY", algs=[13, 15], mutate=rollover_dnskey_one_alg),
    "alg-unknown-beside": Case("an RRSIG of unassigned algorithm 200 beside a valid one "
                               "(RFC 4035 5.3.1, RFC 6840 5.11)", "www", mutate=unknown_alg_beside),
    "alg-5": Case("RSASHA1 (5), valid", "www", algs=[5]),
    "alg-7": Case("RSASHA1-NSEC3-SHA1 (7) with NSEC3, valid", "www", algs=[7], **N3),
    "alg-8": Case("RSASHA256 (8), valid", "www", algs=[8]),
    "alg-10": Case("RSASHA512 (10), valid", "www", algs=[10]),
    "alg-13": Case("ECDSAP256SHA256 (13), valid", "www", algs=[13]),
    "alg-14": Case("ECDSAP384SHA384 (14), valid", "www", algs=[14]),
    "alg-15": Case("ED25519 (15), valid", "www", algs=[15]),
    "alg-16": Case("ED448 (16), valid", "www", algs=[16], expect="secure",
                   rule="RFC 8080 4 defines Ed448 signatures; Debian's unbound lacks algorithm 16 and so "
                   "calls the zone insecure (RFC 4035 5.2); delv and nsprobe implement it"),
    # validity (RFC 4035 5.3.1)
    "time-expires-2m": Case("every RRSIG expires two minutes from now: still valid (RFC 4035 5.3.1)",
                            "www", inc=-30 * DAY, exp=120),
    "time-expired-1h": Case("every RRSIG expired one hour ago (RFC 4035 5.3.1)", "www", inc=-30 * DAY,
                            exp=-3600, expect="bogus",
                            rule="RFC 4035 5.3.1: now MUST be <= the Signature Expiration; unbound adds its val-sig-skew (10% of the validity period, 1 h to 1 d)"),
    "time-future-1h": Case("every RRSIG incepts one hour from now (RFC 4035 5.3.1)", "www", inc=3600,
                           exp=30 * DAY, expect="bogus",
                           rule="RFC 4035 5.3.1: now MUST be >= the Signature Inception; unbound adds its val-sig-skew (10% of the validity period, 1 h to 1 d)"),
}
