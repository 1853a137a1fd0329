/* decode -- the loader's one walk: the libyaml document as yaml.v3 3.0.1 decodes it into
 * blackbox_exporter 0.23's config types (KnownFields: unknown keys are errors), the load-time
 * validation of config/config.go, and each value landed where the schema table says.
 *
 * Every scalar is judged by yaml.v3's rules and errors carry the line and column of the node yaml.v3
 * would blame. Like yaml.v3, the walk goes on after a wrong key or value (its "unmarshal errors" list),
 * so one run names every mistake in document order (yamldoc_fail caps the list). Unlike yaml.v3, a
 * load-time rule that fails (a bad regexp, "query name must be set") does not hide the rest: blackbox's
 * UnmarshalYAML returns such an error at once and yaml.v3 then drops every other one. A struct's rules
 * run only when its own keys decoded cleanly, as blackbox's UnmarshalYAML returns before them on a
 * type error. Why not libcyaml: see schema.c. */
#include "config/decode.h"

#include <ctype.h>
#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "check/validate.h"
#include "config/config.h"
#include "config/schema.h"
#include "dns/dnstab.h"
#include "lib/duration.h"

/* ---- landing ---- */

/* The slot of field f in the struct at base, or NULL when the value is not kept. */
static void *slot(void *base, const schema_field_t *f)
{
	return base && f->at ? (char *)base + (f->at - 1) : NULL;
}

static bool land_str(yamldoc_t *c, char **to, const yaml_node_t *v)
{
	free(*to);
	*to = NULL;
	if (yamldoc_is_null(v))
		return true;
	if (!(*to = strdup(yamldoc_scalar(v))))
		c->oom = true;
	return *to != NULL;
}

/* A []string. yaml.v3 drops a null item (decode.go: null() sets nothing for a string kind, and
 * sequence() keeps only the items that were set). */
static bool land_strs(yamldoc_t *c, const schema_field_t *f, void *to, yaml_node_t *v)
{
	size_t cap = (size_t)(v->data.sequence.items.top - v->data.sequence.items.start), n = 0;
	void **items = cap ? calloc(cap, sizeof *items) : NULL;
	if (cap && !items) {
		c->oom = true;
		return false;
	}
	for (size_t i = 0; i < cap; i++) {
		yaml_node_t *e = yaml_document_get_node(c->doc, v->data.sequence.items.start[i]);
		if (yamldoc_is_null(e))
			continue;
		const char *s = yamldoc_scalar(e);
		if (!(items[n++] = f->flags & SCHEMA_REGEX ? (void *)regex_new(s) : (void *)strdup(s)))
			c->oom = true;
	}
	decode_free_field(f, to);   /* yaml.v3 replaces a slice */
	if (f->flags & SCHEMA_REGEX)
		*(validate_list_t *)to = (validate_list_t){ .re = (regex_pattern_t **)items, .n = n };
	else
		*(config_strs_t *)to = (config_strs_t){ .v = (char **)items, .n = n };
	return !c->oom;
}

/* Go's zero value for the keys of s at base, then the defaults the table gives (DefaultDNSProbe's
 * true bools); nested structs included, as config.DefaultModule sets them. */
static void land_defaults(const schema_t *s, void *base)
{
	for (const schema_field_t *f = s->fields; base && f->key; f++) {
		void *to = slot(base, f);
		if (!to)
			continue;
		if (f->kind == SCHEMA_BOOL)
			*(bool *)to = f->def && strcmp(f->def, "true") == 0;
		else if (f->kind == SCHEMA_STRUCT)
			land_defaults(f->sub, to);
	}
}

void decode_free_field(const schema_field_t *f, void *to)
{
	switch (f->kind) {
	case SCHEMA_STR:
	case SCHEMA_SECRET:
	case SCHEMA_TLSVER:
		free(*(char **)to);
		*(char **)to = NULL;
		break;
	case SCHEMA_STRS:
		if (f->flags & SCHEMA_REGEX) {
			validate_list_t *l = to;
			for (size_t i = 0; i < l->n; i++)
				regex_free(l->re[i]);
			free(l->re);
			*l = (validate_list_t){ 0 };
		} else {
			config_strs_t *l = to;
			for (size_t i = 0; i < l->n; i++)
				free(l->v[i]);
			free(l->v);
			*l = (config_strs_t){ 0 };
		}
		break;
	case SCHEMA_STRUCT:
		decode_free(f->sub, to);
		break;
	default:
		break;
	}
}

void decode_free(const schema_t *s, void *base)
{
	for (const schema_field_t *f = s->fields; base && f->key; f++)
		if (f->at)
			decode_free_field(f, (char *)base + (f->at - 1));
}

/* ---- the walk ---- */

static bool check_struct(yamldoc_t *c, yaml_node_t *node, const char *key, const schema_t *s, void *base);

static bool check_str(yamldoc_t *c, yaml_node_t *v, const char *key, const char *into)
{
	if (v->type != YAML_SCALAR_NODE) {
		yamldoc_fail_type(c, v, key, into);
		return false;
	}
	return true;
}

static bool check_list(yamldoc_t *c, yaml_node_t *v, const char *key, const char *into,
                       bool (*item)(yamldoc_t *, yaml_node_t *, const char *, const char *),
                       const char *item_into)
{
	if (yamldoc_is_null(v))
		return true;
	if (v->type != YAML_SEQUENCE_NODE) {
		yamldoc_fail_type(c, v, key, into);
		return false;
	}
	bool ok = true;
	for (yaml_node_item_t *it = v->data.sequence.items.start; it < v->data.sequence.items.top; it++)
		ok &= item(c, yaml_document_get_node(c->doc, *it), key, item_into);
	return ok;
}

static bool check_int(yamldoc_t *c, yaml_node_t *v, const char *key, const char *into)
{
	if (yamldoc_is_null(v) || (v->type == YAML_SCALAR_NODE && yamldoc_tag(v) == YAMLDOC_INT))
		return true;
	yamldoc_fail_type(c, v, key, into);
	return false;
}

/* Judges v as field f and, when the table keeps the value, lands it at base. A null leaves the
 * value as it was (yaml.v3 decodes null into a non-pointer as "no change"). */
static bool check_field(yamldoc_t *c, const schema_field_t *f, yaml_node_t *v, void *base)
{
	const char *key = f->key;
	void *to = slot(base, f);
	bool b;
	if (base && f->set_at && !yamldoc_is_null(v))
		*(bool *)((char *)base + (f->set_at - 1)) = true;
	switch (f->kind) {
	case SCHEMA_STR:
	case SCHEMA_SECRET:
		if (!yamldoc_is_null(v) && !check_str(c, v, key, "string"))
			return false;
		return !to || land_str(c, to, v);
	case SCHEMA_TLSVER:
		if (yamldoc_is_null(v))
			return !to || land_str(c, to, v);
		if (!check_str(c, v, key, "string"))
			return false;
		if (strcmp(yamldoc_scalar(v), "TLS10") && strcmp(yamldoc_scalar(v), "TLS11") &&
		    strcmp(yamldoc_scalar(v), "TLS12") && strcmp(yamldoc_scalar(v), "TLS13")) {
			yamldoc_fail(c, &v->start_mark, key, "unknown TLS version: %s", yamldoc_scalar(v));
			return false;
		}
		return !to || land_str(c, to, v);
	case SCHEMA_BOOL:
		if (yamldoc_is_null(v))
			return true;
		if (yamldoc_bool_value(v, &b)) {
			if (to)
				*(bool *)to = b;
			return true;
		}
		yamldoc_fail_type(c, v, key, "bool");
		return false;
	case SCHEMA_INT:
		if (!check_int(c, v, key, "int"))
			return false;
		if (to && !yamldoc_is_null(v))
			*(int64_t *)to = strtoll(yamldoc_scalar(v), NULL, 0);
		return true;
	case SCHEMA_DUR: {
		if (yamldoc_is_null(v))
			return true;
		int64_t ns;
		if (v->type == YAML_SCALAR_NODE && yamldoc_tag(v) == YAMLDOC_STR &&
		    duration_parse(yamldoc_scalar(v), &ns) == 0) {
			if (to)
				*(int64_t *)to = ns;
			return true;
		}
		yamldoc_fail_type(c, v, key, "time.Duration");
		return false;
	}
	case SCHEMA_STRS:
		if (!check_list(c, v, key, "[]string", check_str, "string"))
			return false;
		return !to || yamldoc_is_null(v) || land_strs(c, f, to, v);
	case SCHEMA_INTS:
		return check_list(c, v, key, "[]int", check_int, "int");
	case SCHEMA_STRMAP: {
		if (yamldoc_is_null(v))
			return true;
		if (v->type != YAML_MAPPING_NODE) {
			yamldoc_fail_type(c, v, key, "map[string]string");
			return false;
		}
		size_t before = c->nerr;
		yamldoc_map_t m = { 0 };
		bool ok = yamldoc_map_build(c, v, &m);
		for (size_t i = 0; ok && i < m.n; i++)
			if (!yamldoc_is_null(m.kv[i].value))
				check_str(c, m.kv[i].value, yamldoc_scalar(m.kv[i].key), "string");
		yamldoc_map_free(&m);
		return ok && c->nerr == before;
	}
	case SCHEMA_STRUCT:
		return yamldoc_is_null(v) || check_struct(c, v, key, f->sub, to);
	case SCHEMA_STRUCTS: {
		if (yamldoc_is_null(v))
			return true;
		if (v->type != YAML_SEQUENCE_NODE) {
			yamldoc_fail_type(c, v, key, f->sub->list_type);
			return false;
		}
		bool ok = true;
		for (yaml_node_item_t *it = v->data.sequence.items.start; !yamldoc_stopped(c) && it < v->data.sequence.items.top;
		     it++) {
			yaml_node_t *e = yaml_document_get_node(c->doc, *it);
			if (!yamldoc_is_null(e))
				ok &= check_struct(c, e, key, f->sub, NULL);
		}
		return ok;
	}
	case SCHEMA_HEADER: {
		/* yaml.v3 drops a null Secret from a list (decode.go null: false for a string kind) */
		if (yamldoc_is_null(v))
			return true;
		if (v->type != YAML_MAPPING_NODE) {
			yamldoc_fail_type(c, v, key, "config.Header");
			return false;
		}
		size_t before = c->nerr;
		yamldoc_map_t m = { 0 };
		bool ok = yamldoc_map_build(c, v, &m);
		for (size_t i = 0; ok && i < m.n; i++) {
			yaml_node_t *l = m.kv[i].value;
			const char *name = yamldoc_scalar(m.kv[i].key);
			if (!yamldoc_is_null(l) && l->type != YAML_SEQUENCE_NODE) {
				yamldoc_fail_type(c, l, name, "[]config.Secret");
				continue;
			}
			for (yaml_node_item_t *it = l->data.sequence.items.start;
			     l->type == YAML_SEQUENCE_NODE && it < l->data.sequence.items.top; it++) {
				yaml_node_t *e = yaml_document_get_node(c->doc, *it);
				if (!yamldoc_is_null(e) && e->type != YAML_SCALAR_NODE)
					yamldoc_fail_type(c, e, name, "config.plain");     /* Secret.UnmarshalYAML's plain */
			}
		}
		yamldoc_map_free(&m);
		return ok && c->nerr == before;
	}
	}
	return true;
}

/* A key given a value: not absent, not null, not "" (Go's zero value for the field). */
static bool is_set(const yaml_node_t *v)
{
	return v && !yamldoc_is_null(v) && !(yamldoc_scalar(v) && !yamldoc_scalar(v)[0]);
}

/* The table's rules for s's keys (schema_rule_t: every must, then every check, in table order).
 * blackbox stops at the first that fails; each rule is about its own key, so all are reported. */
static bool check_rules(yamldoc_t *c, yaml_node_t *node, const char *key, const schema_t *s,
                        const yamldoc_map_t *m)
{
	size_t before = c->nerr;
	for (const schema_field_t *f = s->fields; f->key; f++) {
		yaml_node_t *v = f->rule && f->rule->must ? yamldoc_map_get(m, f->key) : NULL;
		if (f->rule && f->rule->must && (!v || yamldoc_is_null(v) || !yamldoc_scalar(v)[0]))
			yamldoc_fail(c, v ? &v->start_mark : &node->start_mark, v ? f->key : key, "%s", f->rule->must);
	}
	for (const schema_field_t *f = s->fields; f->key; f++) {
		yaml_node_t *v = f->rule && f->rule->check ? yamldoc_map_get(m, f->key) : NULL;
		if (v && !yamldoc_is_null(v))
			f->rule->check(c, v, f->key);
	}
	for (const schema_excl_t *x = s->exclusive; x && x->a; x++) {
		yaml_node_t *a = yamldoc_map_get(m, x->a), *b = yamldoc_map_get(m, x->b);
		if (is_set(a) && is_set(b))
			yamldoc_fail(c, &node->start_mark, key, "%s", x->msg);
	}
	return c->nerr == before;
}

/* config.HeaderMatch.UnmarshalYAML */
static bool check_header_match(yamldoc_t *c, yaml_node_t *node, const yamldoc_map_t *m)
{
	yaml_node_t *h = yamldoc_map_get(m, "header"), *re = yamldoc_map_get(m, "regexp");
	if (!h || yamldoc_is_null(h) || !yamldoc_scalar(h)[0]) {
		yamldoc_fail(c, &node->start_mark, "header", "header name must be set for HTTP header matchers");
		return false;
	}
	if (!re || yamldoc_is_null(re) || !yamldoc_scalar(re)[0]) {
		yamldoc_fail(c, &node->start_mark, "regexp", "regexp must be set for HTTP header matchers");
		return false;
	}
	return true;
}

/* A pointer to a struct that yaml.v3 allocates: the key given a non-null value. */
static yaml_node_t *given(const yamldoc_map_t *m, const char *key)
{
	yaml_node_t *v = yamldoc_map_get(m, key);
	return v && !yamldoc_is_null(v) ? v : NULL;
}

/* A string field of the struct at node (a mapping) that is not "" */
static bool sub_set(yamldoc_t *c, yaml_node_t *node, const char *key)
{
	yamldoc_map_t m = { 0 };
	bool set = node && yamldoc_map_build(c, node, &m) && is_set(yamldoc_map_get(&m, key));
	yamldoc_map_free(&m);
	return set;
}

/* common's HTTPClientConfig.Validate (prometheus/common 0.39.0 config/http_config.go), in its order;
 * its errors name no line. */
static const char *http_client_invalid(yamldoc_t *c, const yamldoc_map_t *m)
{
	yaml_node_t *basic = given(m, "basic_auth"), *authz = given(m, "authorization"), *oauth2 = given(m, "oauth2");
	bool bearer = is_set(yamldoc_map_get(m, "bearer_token"));
	bool bearer_file = is_set(yamldoc_map_get(m, "bearer_token_file"));
	if (bearer && bearer_file)
		return "at most one of bearer_token & bearer_token_file must be configured";
	if ((basic || oauth2) && (bearer || bearer_file))
		return "at most one of basic_auth, oauth2, bearer_token & bearer_token_file must be configured";
	if (basic && sub_set(c, basic, "password") && sub_set(c, basic, "password_file"))
		return "at most one of basic_auth password & password_file must be configured";
	if (authz) {
		if (bearer || bearer_file)
			return "authorization is not compatible with bearer_token & bearer_token_file";
		if (sub_set(c, authz, "credentials") && sub_set(c, authz, "credentials_file"))
			return "at most one of authorization credentials & credentials_file must be configured";
		yamldoc_map_t am = { 0 };
		yaml_node_t *t = yamldoc_map_build(c, authz, &am) ? yamldoc_map_get(&am, "type") : NULL;
		const char *type = t && !yamldoc_is_null(t) ? yamldoc_scalar(t) : "";
		size_t n = strlen(type);
		while (n && strchr(" \t\n\v\f\r", type[n - 1]))
			n--;
		while (n && strchr(" \t\n\v\f\r", *type))
			type++, n--;
		bool basic_type = n == 5 && strncasecmp(type, "basic", 5) == 0;
		yamldoc_map_free(&am);
		if (basic_type)
			return "authorization type cannot be set to \"basic\", use \"basic_auth\" instead";
		if (basic || oauth2)
			return "at most one of basic_auth, oauth2 & authorization must be configured";
	}
	if (oauth2) {
		if (basic)
			return "at most one of basic_auth, oauth2 & authorization must be configured";
		if (!sub_set(c, oauth2, "client_id"))
			return "oauth2 client_id must be configured";
		bool secret = sub_set(c, oauth2, "client_secret"), secret_file = sub_set(c, oauth2, "client_secret_file");
		if (!secret && !secret_file)
			return "either oauth2 client_secret or client_secret_file must be configured";
		if (!sub_set(c, oauth2, "token_url"))
			return "oauth2 token_url must be configured";
		if (secret && secret_file)
			return "at most one of oauth2 client_secret & client_secret_file must be configured";
	}
	yaml_node_t *pch = given(m, "proxy_connect_header");
	if (pch && pch->type == YAML_MAPPING_NODE && !is_set(yamldoc_map_get(m, "proxy_url"))) {
		yamldoc_map_t hm = { 0 };
		size_t n = yamldoc_map_build(c, pch, &hm) ? hm.n : 0;
		yamldoc_map_free(&hm);
		if (n)
			return "if proxy_connect_header is configured proxy_url must also be configured";
	}
	return NULL;
}

/* config.isCompressionAcceptEncodingValid: compression must be one of the encodings an
 * Accept-Encoding header accepts (q > 0, best first, "*" stands for any). */
static bool accept_encoding_ok(const char *compression, const char *accept)
{
	if (!compression[0] || !accept[0])
		return true;
	struct { const char *s; size_t n; float q; } e[64];
	size_t ne = 0;
	for (const char *p = accept; ne < sizeof e / sizeof e[0]; p++) {
		const char *end = strchr(p, ',');
		size_t len = end ? (size_t)(end - p) : strlen(p), name = len;
		float q = 1;
		const char *semi = NULL;
		for (size_t i = 0; i < len; i++)
			if (p[i] == ';')
				semi = p + i;
		if (semi) {
			name = (size_t)(semi - p);
			char qs[64] = "";
			const char *v = semi + 1, *ve = p + len;
			while (v < ve && isspace((unsigned char)*v))
				v++;
			while (ve > v && isspace((unsigned char)ve[-1]))
				ve--;
			if (ve - v >= 2 && v[0] == 'q' && v[1] == '=')
				v += 2;
			char *rest;
			q = 0;
			/* strconv.ParseFloat(s, 32): the whole text; hex needs its p exponent */
			if (ve > v && (size_t)(ve - v) < sizeof qs && !isspace((unsigned char)*v)) {
				memcpy(qs, v, (size_t)(ve - v));
				bool hex = strchr(qs, 'x') || strchr(qs, 'X');
				errno = 0;
				double d = strtof(qs, &rest);
				if (!*rest && errno == 0 && (!hex || strchr(qs, 'p') || strchr(qs, 'P')))
					q = (float)(round(d * 1000) / 1000);
			}
		}
		while (name && isspace((unsigned char)*p))
			p++, name--;
		while (name && isspace((unsigned char)p[name - 1]))
			name--;
		e[ne].s = p;
		e[ne].n = name;
		e[ne++].q = q;
		if (!end)
			break;
		p = end;
	}
	/* sort.SliceStable by quality, best first: the first match in that order decides */
	for (size_t i = 1; i < ne; i++)
		for (size_t j = i; j > 0 && e[j - 1].q < e[j].q; j--) {
			__typeof__(e[0]) t = e[j];
			e[j] = e[j - 1];
			e[j - 1] = t;
		}
	for (size_t i = 0; i < ne; i++)
		if ((e[i].n == strlen(compression) && strncmp(e[i].s, compression, e[i].n) == 0) ||
		    (e[i].n == 1 && e[i].s[0] == '*'))
			return e[i].q > 0;
	return false;
}

/* The checks of config.HTTPProbe.UnmarshalYAML after its keys decoded. */
static bool check_http(yamldoc_t *c, yaml_node_t *node, const yamldoc_map_t *m)
{
	const char *why = http_client_invalid(c, m);
	if (why) {
		yamldoc_fail(c, &node->start_mark, "http", "%s", why);
		return false;
	}
	yaml_node_t *comp = yamldoc_map_get(m, "compression"), *hdrs = given(m, "headers");
	const char *compression = comp && !yamldoc_is_null(comp) ? yamldoc_scalar(comp) : "";
	if (!compression[0] || !hdrs || hdrs->type != YAML_MAPPING_NODE)
		return true;
	yamldoc_map_t hm = { 0 };
	bool ok = yamldoc_map_build(c, hdrs, &hm);
	for (size_t i = 0; ok && i < hm.n; i++) {
		const char *k = yamldoc_scalar(hm.kv[i].key);
		yaml_node_t *v = hm.kv[i].value;
		const char *val = yamldoc_is_null(v) ? "" : yamldoc_scalar(v);
		/* textproto.CanonicalMIMEHeaderKey(k) == "Accept-Encoding" */
		if (k && strcasecmp(k, "Accept-Encoding") == 0 && !accept_encoding_ok(compression, val)) {
			yamldoc_fail(c, &v->start_mark, k, "invalid configuration \"%s: %s\", \"compression: %s\"", k, val,
			             compression);
			ok = false;
		}
	}
	yamldoc_map_free(&hm);
	return ok;
}

static bool check_struct(yamldoc_t *c, yaml_node_t *node, const char *key, const schema_t *s, void *base)
{
	if (node->type != YAML_MAPPING_NODE) {
		yamldoc_fail_type(c, node, key, s->go_type ? s->go_type : "a mapping");
		return false;
	}
	/* a struct given as a mapping starts from its defaults (Module's and DNSProbe's UnmarshalYAML) */
	land_defaults(s, base);
	size_t before = c->nerr;
	yamldoc_map_t m = { 0 };
	bool ok = yamldoc_map_build(c, node, &m);
	/* yaml.v3 decodes in document order and notes each bad key or value (its terrors) */
	for (size_t i = 0; ok && !yamldoc_stopped(c) && i < m.n; i++) {
		const char *k = yamldoc_scalar(m.kv[i].key);
		const schema_field_t *f = s->fields;
		while (f->key && strcmp(f->key, k) != 0)
			f++;
		if (!f->key) {
			if (s->go_type)     /* yaml.v3's text for blackbox's types */
				yamldoc_fail(c, &m.kv[i].key->start_mark, k, "field %s not found in type %s", k, s->go_type);
			else                /* nsprobe's own sections have no Go type to name */
				yamldoc_fail(c, &m.kv[i].key->start_mark, k, "field %s not found in %s", k, key);
			continue;
		}
		check_field(c, f, m.kv[i].value, base);
	}
	ok = ok && !yamldoc_stopped(c) && c->nerr == before;
	if (ok)
		ok = check_rules(c, node, key, s, &m);
	if (ok && s == &schema_header_match)
		ok = check_header_match(c, node, &m);
	else if (ok && s == &schema_http)
		ok = check_http(c, node, &m);
	yamldoc_map_free(&m);
	return ok && c->nerr == before;
}

bool decode_document(yamldoc_t *c, yaml_node_t *root, config_t *cfg, yaml_node_t ***nodes)
{
	*nodes = NULL;
	if (!root || yamldoc_is_null(root))
		return true;
	if (root->type != YAML_MAPPING_NODE) {
		yamldoc_fail_type(c, root, "modules", "config.plain");
		return false;
	}
	yamldoc_map_t top = { 0 };
	bool ok = yamldoc_map_build(c, root, &top);
	for (size_t i = 0; ok && i < top.n; i++) {
		const char *k = yamldoc_scalar(top.kv[i].key);
		if (strcmp(k, "modules") != 0)
			yamldoc_fail(c, &top.kv[i].key->start_mark, k, "field %s not found in type config.plain", k);
	}
	yaml_node_t *mods = ok ? yamldoc_map_get(&top, "modules") : NULL;
	yamldoc_map_free(&top);
	if (!mods || yamldoc_is_null(mods))
		return ok && !c->failed;
	if (mods->type != YAML_MAPPING_NODE) {
		yamldoc_fail_type(c, mods, "modules", "map[string]config.Module");
		return false;
	}
	yamldoc_map_t mm = { 0 };
	ok = yamldoc_map_build(c, mods, &mm) && ok;
	if (ok && mm.n && (!(cfg->modules = calloc(mm.n, sizeof *cfg->modules)) ||
	                   !(*nodes = calloc(mm.n, sizeof **nodes)))) {
		c->oom = true;
		ok = false;
	}
	/* the modules in file order; a null module stays Go's zero Module (no DefaultModule) */
	for (size_t i = 0; ok && !yamldoc_stopped(c) && i < mm.n; i++) {
		config_module_t *mod = &cfg->modules[cfg->n_modules];
		yaml_node_t *node = (*nodes)[cfg->n_modules++] = mm.kv[i].value;
		if (!(mod->name = strdup(yamldoc_scalar(mm.kv[i].key))))
			c->oom = true;
		else if (!yamldoc_is_null(node))
			check_struct(c, node, mod->name, &schema_module, mod);
	}
	yamldoc_map_free(&mm);
	return ok && !c->oom && !c->failed;
}
