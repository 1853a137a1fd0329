"""config_checks -- the load-time rules of blackbox_exporter 0.23 for the other probers' sections
(config/config.go's UnmarshalYAML methods, prometheus/common's HTTPClientConfig.Validate and URL),
each broken once and then fixed: both exporters run --config.check on each file and must agree.

A failing file passes when both exit 1 and nsprobe's error ends with blackbox's text (nsprobe puts
file:line:col and the key in front of it); a fixed one when both exit 0. A file with several mistakes:
blackbox lists yaml.v3's "unmarshal errors" (unknown keys, wrong types, repeated keys) one per line,
and nsprobe must list the same ones on the same lines in the same order, each with its column and
key; when a load-time rule fails blackbox prints only that rule's text, which must then be one of
nsprobe's lines (nsprobe lists the other mistakes too: a README deviation). The modules are shaped after
upstream's example.yml (http_post_2xx, tcp ssh_banner / irc_banner, http with oauth2 and a proxy).
"""

import os
import re
import subprocess

ERR = re.compile(r'err="((?:[^"\\]|\\.)*)"')
PREFIX = "error parsing config file: "


def http(body, prober="http"):
    return "modules:\n  m:\n    prober: %s\n    timeout: 5s\n    http:\n%s" % (
        prober, "".join("      %s\n" % line for line in body.split("\n")))


def tcp(body):
    return "modules:\n  m:\n    prober: tcp\n    tcp:\n%s" % "".join(
        "      %s\n" % line for line in body.split("\n"))


OAUTH2 = "oauth2:\n  client_id: exporter\n  client_secret: s3cret\n  token_url: https://auth.example.com/token"

# (name, broken config, the same config fixed)
CASES = [
    # config.Regexp.UnmarshalYAML: "Could not compile regular expression" regexp="..."
    ("body_matches_lookahead",
     http('fail_if_body_matches_regexp:\n  - "Could not connect to database"\n  - "(?=error)"'),
     http('fail_if_body_matches_regexp:\n  - "Could not connect to database"\n  - "error"')),
    ("body_not_matches_lookbehind",
     http('fail_if_body_not_matches_regexp:\n  - "(?<!not )ok"'),
     http('fail_if_body_not_matches_regexp:\n  - "[^t] ok"')),
    ("body_matches_negative_lookahead",
     http('fail_if_body_matches_regexp: ["(?!x)y"]'),
     http('fail_if_body_matches_regexp: ["[^x]y"]')),
    ("body_matches_repeat_1001",
     http('fail_if_body_matches_regexp: ["a{1001}"]'),
     http('fail_if_body_matches_regexp: ["a{1000}"]')),
    ("body_not_matches_unbalanced_paren",
     http('fail_if_body_not_matches_regexp: ["status: (up|ok"]'),
     http('fail_if_body_not_matches_regexp: ["status: (up|ok)"]')),
    ("header_matches_unbalanced_bracket",
     http('fail_if_header_matches:\n  - header: Set-Cookie\n    allow_missing: true\n    regexp: "[a-z"'),
     http('fail_if_header_matches:\n  - header: Set-Cookie\n    allow_missing: true\n    regexp: "[a-z]"')),
    ("header_not_matches_backreference",
     http('fail_if_header_not_matches:\n  - header: Access-Control-Allow-Origin\n    regexp: "(a)\\\\1"'),
     http('fail_if_header_not_matches:\n  - header: Access-Control-Allow-Origin\n    regexp: "(a)a"')),
    ("header_regexp_before_missing_header",
     http('fail_if_header_not_matches:\n  - regexp: "("'),
     http('fail_if_header_not_matches:\n  - header: Server\n    regexp: "nginx"')),
    ("tcp_expect_lookahead",
     tcp('query_response:\n  - expect: "^SSH-2.0-(?=OpenSSH)"'),
     tcp('query_response:\n  - expect: "^SSH-2.0-OpenSSH"')),
    ("tcp_expect_unbalanced",
     tcp('query_response:\n  - send: "NICK prober"\n  - send: "USER prober prober prober :prober"\n'
         '  - expect: "PING :([^ ]+"\n    send: "PONG ${1}"\n  - expect: "^:[^ ]+ 001"'),
     tcp('query_response:\n  - send: "NICK prober"\n  - send: "USER prober prober prober :prober"\n'
         '  - expect: "PING :([^ ]+)"\n    send: "PONG ${1}"\n  - expect: "^:[^ ]+ 001"')),
    # HTTPProbe.body_size_limit: units.Base2Bytes
    ("body_size_limit_unknown_unit", http("body_size_limit: 10mb"), http("body_size_limit: 10MB")),
    ("body_size_limit_no_unit", http("body_size_limit: 1048576"), http("body_size_limit: 1MiB")),
    ("body_size_limit_empty", http('body_size_limit: ""'), http("body_size_limit: 0")),
    # common's URL.UnmarshalYAML (url.Parse)
    ("proxy_url_missing_bracket", http('proxy_url: "http://[::1:3128"'), http('proxy_url: "http://[::1]:3128"')),
    ("proxy_url_missing_scheme", http('proxy_url: "://proxy.example.com:3128"'),
     http('proxy_url: "http://proxy.example.com:3128"')),
    ("proxy_url_bad_port", http('proxy_url: "http://proxy.example.com:31 28"'),
     http('proxy_url: "http://proxy.example.com:3128"')),
    ("proxy_url_bad_port_name", http('proxy_url: "http://proxy:squid"'), http('proxy_url: "http://proxy:3128"')),
    ("proxy_url_space_in_host", http('proxy_url: "http://proxy example.com"'),
     http('proxy_url: "http://proxy.example.com"')),
    ("proxy_url_bad_escape", http('proxy_url: "http://proxy.example.com/%zz"'),
     http('proxy_url: "http://proxy.example.com/%20"')),
    ("proxy_url_bad_userinfo", http('proxy_url: "http://us er:pw@proxy.example.com"'),
     http('proxy_url: "http://user:pw@proxy.example.com"')),
    ("proxy_url_control_char", http('proxy_url: "http://proxy.example.com\\t"'),
     http('proxy_url: "http://proxy.example.com"')),
    ("proxy_url_no_scheme_ip_port", http('proxy_url: "10.0.0.1:3128"'), http('proxy_url: "http://10.0.0.1:3128"')),
    ("proxy_url_bad_fragment", http('proxy_url: "http://proxy#%g"'), http('proxy_url: "http://proxy#g"')),
    ("oauth2_proxy_url", http(OAUTH2 + '\n  proxy_url: "http://[fe80::1%zz]:3128"'),
     http(OAUTH2 + '\n  proxy_url: "http://[fe80::1%25eth0]:3128"')),
    # common's HTTPClientConfig.Validate
    ("bearer_token_and_file", http("bearer_token: abc\nbearer_token_file: /etc/token"),
     http("bearer_token_file: /etc/token")),
    ("basic_auth_and_bearer", http("basic_auth: {username: u, password: p}\nbearer_token: abc"),
     http("basic_auth: {username: u, password: p}")),
    ("oauth2_and_bearer_file", http(OAUTH2 + "\nbearer_token_file: /etc/token"), http(OAUTH2)),
    ("basic_auth_and_oauth2", http("basic_auth: {username: u, password: p}\n" + OAUTH2), http(OAUTH2)),
    ("basic_auth_password_and_file",
     http("basic_auth:\n  username: prober\n  password: s3cret\n  password_file: /etc/pw"),
     http("basic_auth:\n  username: prober\n  password_file: /etc/pw")),
    ("authorization_and_bearer", http("authorization: {credentials: abc}\nbearer_token: abc"),
     http("authorization: {credentials: abc}")),
    ("authorization_credentials_and_file",
     http("authorization:\n  type: Bearer\n  credentials: abc\n  credentials_file: /etc/token"),
     http("authorization:\n  type: Bearer\n  credentials_file: /etc/token")),
    ("authorization_type_basic", http('authorization:\n  type: " basic"\n  credentials: dTpw'),
     http('authorization:\n  type: Token\n  credentials: dTpw')),
    ("authorization_and_basic_auth", http("authorization: {credentials: abc}\nbasic_auth: {username: u}"),
     http("basic_auth: {username: u}")),
    ("authorization_and_oauth2", http("authorization: {credentials: abc}\n" + OAUTH2), http(OAUTH2)),
    ("oauth2_no_client_id", http("oauth2:\n  client_secret: s\n  token_url: https://auth.example.com/token"),
     http(OAUTH2)),
    ("oauth2_no_secret", http("oauth2:\n  client_id: c\n  token_url: https://auth.example.com/token"),
     http("oauth2:\n  client_id: c\n  client_secret_file: /etc/secret\n  token_url: https://auth.example.com/token")),
    ("oauth2_no_token_url", http("oauth2:\n  client_id: c\n  client_secret: s\n  scopes: [probe]"),
     http("oauth2:\n  client_id: c\n  client_secret: s\n  scopes: [probe]\n  token_url: https://a.example/t")),
    ("oauth2_secret_and_file", http(OAUTH2 + "\n  client_secret_file: /etc/secret"), http(OAUTH2)),
    ("proxy_connect_header_without_proxy_url",
     http("proxy_connect_header:\n  Proxy-Authorization: [Basic dTpw]"),
     http("proxy_url: http://proxy.example.com:3128\nproxy_connect_header:\n  Proxy-Authorization: [Basic dTpw]")),
    # HTTPProbe: compression vs Accept-Encoding
    ("compression_vs_accept_encoding", http("compression: gzip\nheaders:\n  Accept-Encoding: br"),
     http("compression: gzip\nheaders:\n  Accept-Encoding: br, gzip")),
    ("compression_vs_accept_encoding_q0",
     http('compression: deflate\nheaders:\n  accept-encoding: "gzip, deflate;q=0"'),
     http('compression: deflate\nheaders:\n  accept-encoding: "gzip, deflate;q=0.5"')),
    ("compression_vs_accept_encoding_star",
     http('compression: br\nheaders:\n  ACCEPT-ENCODING: "gzip;q=1.0, *;q=0"'),
     http('compression: br\nheaders:\n  ACCEPT-ENCODING: "gzip;q=1.0, *;q=0.1"')),
    # Several mistakes in one file. yaml.v3 notes every unknown key, wrong type and repeated key and
    # blackbox prints the list; nsprobe lists the same, one line each, with column and key.
    ("newer_keys_listed",      # shaped like upstream's example.yml of 0.25+, given to a 0.23 binary
     "modules:\n  http_json_cel_match:\n    prober: http\n    timeout: 5s\n    http:\n      method: GET\n"
     "      fail_if_body_json_not_matches_cel: \"body.foo == 'bar'\"\n"
     "  grpc_plain:\n    prober: grpc\n    grpc:\n      tls: false\n      metadata:\n        x-api: \"1\"\n",
     "modules:\n  http_json_cel_match:\n    prober: http\n    timeout: 5s\n    http:\n      method: GET\n"
     "  grpc_plain:\n    prober: grpc\n    grpc:\n      tls: false\n"),
    ("several_mistakes",
     "modules:\n  dns_soa:\n    prober: dns\n    timout: 5s\n    dns:\n      query_name: example.com\n"
     "      query_type: SOA\n      query_type: NS\n  tcp_banner:\n    prober: tcp\n    timeout: 2\n"
     "    tcp:\n      query_response:\n        - expect: \"^SSH-2.0-\"\n          send: [x]\n"
     "  icmp:\n    prober: icmp\n    icmp:\n      preferred_ip_protocol: ip4\n      ttl: many\n",
     "modules:\n  dns_soa:\n    prober: dns\n    timeout: 5s\n    dns:\n      query_name: example.com\n"
     "      query_type: SOA\n  tcp_banner:\n    prober: tcp\n    timeout: 2s\n"
     "    tcp:\n      query_response:\n        - expect: \"^SSH-2.0-\"\n          send: x\n"
     "  icmp:\n    prober: icmp\n    icmp:\n      preferred_ip_protocol: ip4\n      ttl: 64\n"),
    # a key written three times: yaml.v3 lists every pair (5 and 4, 6 and 4, 6 and 5) and reads
    # nothing else of that mapping (the unknown key after them is not reported); a second `<<` is a
    # repeated key too
    ("key_three_times",
     "modules:\n  dns_soa:\n    prober: dns\n    timeout: 1s\n    timeout: 2s\n    timeout: 3s\n    bogus: 1\n"
     "    dns:\n      query_name: example.com\n",
     "modules:\n  dns_soa:\n    prober: dns\n    timeout: 3s\n    dns:\n      query_name: example.com\n"),
    ("merge_key_twice",
     "modules:\n  a: &a {prober: dns, dns: {query_name: x}}\n  b:\n    <<: *a\n    <<: {timeout: 2s}\n",
     "modules:\n  a: &a {prober: dns, dns: {query_name: x}}\n  b:\n    <<: [*a, {timeout: 2s}]\n"),
    # a load-time rule among type errors: blackbox's UnmarshalYAML returns the rule's error at once
    # and yaml.v3 drops the rest; nsprobe names it among all the others
    ("rule_among_type_errors",
     "modules:\n  dns_a:\n    prober: dns\n    dns:\n      query_name: example.com\n      qtype: A\n"
     "  http_body:\n    prober: http\n    http:\n      fail_if_body_matches_regexp: [\"(?!ok)\"]\n",
     "modules:\n  dns_a:\n    prober: dns\n    dns:\n      query_name: example.com\n      query_type: A\n"
     "  http_body:\n    prober: http\n    http:\n      fail_if_body_matches_regexp: [\"ok\"]\n"),
]


def check(binary, path):
    """--config.check of binary on path: (exit status, its err= text or the tail of its output)"""
    p = subprocess.run([binary, "--config.check", "--config.file=" + path], stdin=subprocess.DEVNULL,
                       stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=30)
    out = p.stdout.decode(errors="replace")
    m = ERR.search(out)
    return p.returncode, m.group(1) if m else out.strip()[-300:]


LIST = "yaml: unmarshal errors:\\n  "           # as logfmt escapes it: a backslash and an n
SYNTAX = re.compile(r"^yaml: line \d+: ")          # yaml.v3's parser errors name the line this way
NS_LINE = re.compile(r"^.*?:(\d+):(\d+): [^:]*: (.*)$")


def verdict(bb, ns):
    """-> (ok, detail) for blackbox's and nsprobe's (exit status, error text)"""
    if bb[0] != ns[0]:
        return False, "blackbox exit %d (%s); nsprobe exit %d (%s)" % (bb[0], bb[1], ns[0], ns[1])
    if bb[0] == 0:
        return True, "matched: both exit 0"
    want = bb[1][len(PREFIX):] if bb[1].startswith(PREFIX) else bb[1]
    if not ns[1].startswith(PREFIX):
        return False, "blackbox: %s; nsprobe: %s" % (bb[1], ns[1])
    got = ns[1][len(PREFIX):].split("\\n  ")
    if want.startswith(LIST) or SYNTAX.match(want):
        items = want[len(LIST):].split("\\n  ") if want.startswith(LIST) else [want[len("yaml: "):]]
        ours = [NS_LINE.match(g) for g in got]
        pairs = ["line %s: %s" % (m.group(1), m.group(3)) if m else g for m, g in zip(ours, got)]
        if pairs == items:
            return True, "matched: both refuse with %d errors: %s" % (len(items), want)
        return False, "blackbox: %s; nsprobe: %s" % (bb[1], ns[1])
    if len(got) == 1 and ns[1].endswith(": " + want):
        return True, "matched: both refuse: %s" % want
    if len(got) > 1 and any(g.endswith(": " + want) for g in got):
        return True, "matched: both refuse: %s (nsprobe lists %d errors, blackbox only this rule)" % (
            want, len(got))
    return False, "blackbox: %s; nsprobe: %s" % (bb[1], ns[1])


def run(blackbox, nsprobe, tmp):
    """-> [(status, name, detail)], one per config (each case's broken and fixed file)"""
    out = []
    os.makedirs(tmp, exist_ok=True)
    for name, broken, fixed in CASES:
        for tag, text in (("broken", broken), ("fixed", fixed)):
            path = os.path.join(tmp, "%s-%s.yml" % (name, tag))
            with open(path, "w") as f:
                f.write(text)
            bb, ns = check(blackbox, path), check(nsprobe, path)
            ok, detail = verdict(bb, ns)
            if ok and (bb[0] == 0) != (tag == "fixed"):
                ok, detail = False, "the %s file was expected to %s: %s" % (
                    tag, "load" if tag == "fixed" else "fail", detail)
            out.append(("PASS" if ok else "FAIL", "config/check/%s/%s" % (name, tag), detail))
    return out
