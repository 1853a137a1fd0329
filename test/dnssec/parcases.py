"""parcases -- validation.py's chain cases (issue 14): the child <id>.par.test. (built by valworld,
served by the first knotd) and the DS records par.test. holds for it (parworld, the second knotd).

Each case gives the DS rdata the parent publishes (`ds(ctx, zone)`), how the child is altered, and
what nsprobe must report besides probe_success: probe_dnssec_ds_match (a DS matches a key of the
child that signs its DNSKEY RRset) and probe_dnssec_cds_pending (the child publishes CDS/CDNSKEY
that differ from the parent's DS, RFC 7344/8078). probe_success is the oracles' verdict, as for
valcases (validation.expected). Each case is probed twice: with `dnssec.ds` listing the DS records
as the signed parent serves them, with `dnssec.ds_from` naming the parent's knotd, and with
`ds_from: resolver` (the suite's nsprobe runs with --target.resolver at the parent's knotd, which
answers the child's DS authoritatively). A case with key_info=True also sets `dnssec.key_info` on
its `ds` variant, whose probe_dnssec_key_info series must be the child's DNSKEY set as kdig sees it.
"""

import dns.rdata

from parworld import NewKey, _rds, ds_rdata


class ParCase:
    def __init__(self, what, ds, ds_match, cds_pending=0, q="www", qtype="A", expect=None, rule="",
                 insecure=False, variants=("ds", "ds_from", "ds_resolver"), names_keys=False,
                 key_info=False, **spec):
        self.what = what
        self.ds = ds                # fn(ctx, zone) -> [DS rdata text] for the parent
        self.ds_match = ds_match    # probe_dnssec_ds_match expected
        self.cds_pending = cds_pending
        self.q = q
        self.qtype = qtype
        self.nx = False
        self.expect = expect        # as valcases.Case: the verdict where the oracles may disagree
        self.rule = rule
        self.insecure_passes = insecure
        self.probe_must = None
        self.variants = variants
        self.names_keys = names_keys  # the failure log must name the DS tags and the child's key tags
        self.key_info = key_info      # the `ds` variant sets dnssec.key_info and checks its series
        self.spec = spec


def ksk_ds(*types):
    return lambda c, z: [ds_rdata(z, c.keys["ksk"].dnskey, t) for t in types]


def _wrong_digest(z, t=2):
    """A DS (digest type t) of a fresh key that the child never publishes, tag and all."""
    return ds_rdata(z, NewKey(None).dnskey, t)


def _ksk_tag_wrong_digest(c, z):
    """A DS naming the KSK's tag and algorithm whose SHA-256 digest is of another key."""
    good = dns.rdata.from_text("IN", "DS", ds_rdata(z, c.keys["ksk"].dnskey, 2))
    other = dns.rdata.from_text("IN", "DS", _wrong_digest(z))
    return good.replace(digest=other.digest).to_text()


def one_of_two(c, z):
    return [ds_rdata(z, c.keys["ksk"].dnskey, 2), _ksk_tag_wrong_digest(c, z)]


def none_match(c, z):
    a = _ksk_tag_wrong_digest(c, z)
    b = dns.rdata.from_text("IN", "DS", ds_rdata(z, c.keys["ksk"].dnskey, 4))
    b = b.replace(digest=bytes(x ^ 0x5A for x in b.digest)).to_text()
    return [a, b]


def ksk_changed(c, z):
    # the DS still points at the KSK the child had before it changed it (a key now gone)
    return [_wrong_digest(z)]


def zsk_only(c, z):
    return [ds_rdata(z, c.keys["zsk"].dnskey, 2)]


def unknown_digest(c, z):
    ds = dns.rdata.from_text("IN", "DS", ds_rdata(z, c.keys["ksk"].dnskey, 2))
    return [ds.replace(digest_type=200).to_text()]


def unknown_beside(c, z):
    return unknown_digest(c, z) + [ds_rdata(z, c.keys["ksk"].dnskey, 2)]


def wrong_alg(c, z):
    # the KSK's tag and digest, algorithm field 8 where the key is 13
    return [ds_rdata(z, c.keys["ksk"].dnskey, 2, algorithm=8)]


def second_alg(c, z):
    return [ds_rdata(z, c.keys["ksk15"].dnskey, 2)]


def _publish_cds(c, key):
    z = c.origin.to_text()
    c.set_rrset("@", "CDS", [ds_rdata(z, key.dnskey, 2)])
    c.resign("@", "CDS")
    c.set_rrset("@", "CDNSKEY", [key.dnskey.to_text()])
    c.resign("@", "CDNSKEY")


def cds_new_ksk(c):
    # a KSK rollover half done: the new KSK is published and signs the DNSKEY set beside the old
    # one; CDS/CDNSKEY name the new key, the parent's DS still the old
    new = NewKey(c.origin)
    c.keys["ksk_new"] = new
    dk = c.rrset("@", "DNSKEY")
    dk.add(new.dnskey)
    c.put("@", _rds(dk))
    c.sign(c.rrset("@", "DNSKEY"), "ksk")
    c.sign(c.rrset("@", "DNSKEY"), new, alone=False)
    _publish_cds(c, new)


def cds_same(c):
    _publish_cds(c, c.keys["ksk"])


CASES = {
    "pds-sha1": ParCase("the parent's DS: the child's KSK, digest type 1 SHA-1 (RFC 4034 5.1.4)",
                        ksk_ds(1), ds_match=1),
    "pds-sha256": ParCase("the parent's DS: the child's KSK, digest type 2 SHA-256 (RFC 4509)",
                          ksk_ds(2), ds_match=1, key_info=True),
    "pds-sha384": ParCase("the parent's DS: the child's KSK, digest type 4 SHA-384 (RFC 6605)",
                          ksk_ds(4), ds_match=1),
    "pds-dnskey": ParCase("the child's DNSKEY set asked, DS SHA-256 of its KSK (RFC 4035 5.2)",
                          ksk_ds(2), ds_match=1, q="@", qtype="DNSKEY"),
    "pds-one-of-two": ParCase("two DS for the KSK's tag, one with the right digest (RFC 4035 5.2: "
                              "one matching DS suffices)", one_of_two, ds_match=1),
    "pds-none-match": ParCase("two DS for the KSK's tag, neither digest right (RFC 4035 5.2)",
                              none_match, ds_match=0),
    "pds-ksk-changed": ParCase("the KSK changed without a DS update: the DS names a key no longer "
                               "published (RFC 4035 5.2)", ksk_changed, ds_match=0, names_keys=True),
    "pds-zsk-only": ParCase("the only DS matches the ZSK, which is in the set but does not sign "
                            "the DNSKEY RRset (RFC 4035 5.2)", zsk_only, ds_match=0),
    "pds-unknown-digest": ParCase("the only DS has unknown digest type 200 (RFC 4035 5.2, RFC 4509 "
                                  "3: as if no DS, the child is insecure)", unknown_digest, ds_match=0,
                                  expect="insecure",
                                  rule="RFC 4035 5.2: a DS set of unsupported digests only makes the "
                                  "delegation insecure; nothing is proven, so the probe fails"),
    "pds-unknown-beside": ParCase("a DS of unknown digest type 200 beside a good SHA-256 one "
                                  "(RFC 4509 3, RFC 6840 5.2)", unknown_beside, ds_match=1),
    "pds-wrong-alg": ParCase("the KSK's tag and digest with algorithm field 8, the key being 13 "
                             "(RFC 4035 5.2: the DS algorithm must match the key's)", wrong_alg,
                             ds_match=0),
    "pds-second-alg": ParCase("child signed with 13 and 15, the DS names the 15 KSK only "
                              "(RFC 6840 5.11)", second_alg, ds_match=1, algs=[13, 15]),
    "pcds-pending": ParCase("KSK rollover waiting for the parent: CDS/CDNSKEY name a new KSK, the "
                            "DS the old one, which still signs (RFC 7344 4)", ksk_ds(2), ds_match=1,
                            cds_pending=1, mutate=cds_new_ksk, key_info=True),
    "pcds-equal": ParCase("CDS/CDNSKEY equal to the parent's DS: nothing pending (RFC 7344 4)",
                          ksk_ds(2), ds_match=1, cds_pending=0, mutate=cds_same),
    "pds-none": ParCase("no DS at the parent: an insecure delegation, NSEC-proven (RFC 4035 5.2)",
                        lambda c, z: [], ds_match=0, variants=("ds_from", "ds_resolver"),
                        rule="both validators call the child insecure; a probe asked to check the "
                        "chain has none to check: fail"),
}
