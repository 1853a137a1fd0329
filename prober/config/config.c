/* config -- blackbox.yml into an immutable, reference-counted snapshot.
 *
 * Two passes over the same text (reference/peers-and-libs.md B.3):
 *  1. libyaml loads the first document; config_check.c walks it as yaml.v3 would decode it into
 *     blackbox_exporter 0.23's types (strict keys, yaml.v3 scalars, `<<` merges, load-time validation)
 *     and learns the module names, in file order.
 *  2. libcyaml loads the text again with a schema built at run time from those names and fills the
 *     DNS strings and lists. A file with `<<` merges is given to libcyaml as a merge-resolved copy
 *     (libcyaml 1.3.1 has no merge keys); pass 1 has already judged it against the original lines.
 * Before either pass, yamldepth refuses nesting past yaml.v3's limit (before libyaml builds the
 * document, so nothing after sees more) and yamlalias replays yaml.v3's alias rules; pass 1 resolves
 * merges without recursion, so only the schema's own depth is ever recursed over.
 * Bools and durations come from pass 1 (libcyaml's bool accepts any word but false/no/off). Errors
 * libcyaml finds that pass 1 did not are reported from its log backtrace. */
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cyaml/cyaml.h>

#include "lib/buf.h"
#include "config/config.h"
#include "lib/duration.h"
#include "config/config_check.h"
#include "config/config_dump.h"
#include "config/tlscreds.h"
#include "dns/dnstab.h"
#include "lib/errors.h"
#include "config/yamlalias.h"
#include "config/yamldepth.h"
#include "config/yamldoc.h"
#include "config/yamlmark.h"

/* ---- libcyaml schema: the DNS strings and lists (everything else is checked in pass 1) ---- */

typedef struct cy_rrv {
	char **fim, **fiam, **finm, **fino;
	unsigned n_fim, n_fiam, n_finm, n_fino;
} cy_rrv_t;

typedef struct cy_tls {
	char *ca_file, *cert_file, *key_file, *server_name, *min_version, *max_version;
} cy_tls_t;

typedef struct cy_dns {
	char *preferred_ip_protocol, *source_ip_address, *transport_protocol;
	char *query_class, *query_name, *query_type;
	cy_tls_t *tls_config;
	char **valid_rcodes;
	unsigned n_valid_rcodes;
	cy_rrv_t *answer, *authority, *additional;
} cy_dns_t;

typedef struct cy_module {
	char *prober;
	cy_dns_t *dns;
} cy_module_t;

typedef struct cy_top {
	cy_module_t **modules;
} cy_top_t;

/* Strings take only the empty value as NULL (a quoted "null" is a string; pass 1 knows which plain
 * scalars are null). Sequences and mappings take null words too: pass 1 allowed nothing else there. */
#define OPT_NULL (CYAML_FLAG_POINTER_NULL | CYAML_FLAG_OPTIONAL)
#define OPT_NULL_STR (CYAML_FLAG_POINTER_NULL_STR | CYAML_FLAG_OPTIONAL)
#define STR_FIELD(key, type, member) CYAML_FIELD_STRING_PTR(key, OPT_NULL, type, member, 0, CYAML_UNLIMITED)
#define STRS_FIELD(key, type, member, count) \
	CYAML_FIELD_SEQUENCE_COUNT(key, OPT_NULL_STR, type, member, count, &cy_str_item, 0, CYAML_UNLIMITED)

static const cyaml_schema_value_t cy_str_item = {
	CYAML_VALUE_STRING(CYAML_FLAG_POINTER, char, 0, CYAML_UNLIMITED),
};

static const cyaml_schema_field_t cy_rrv_fields[] = {
	STRS_FIELD("fail_if_matches_regexp", cy_rrv_t, fim, n_fim),
	STRS_FIELD("fail_if_all_match_regexp", cy_rrv_t, fiam, n_fiam),
	STRS_FIELD("fail_if_not_matches_regexp", cy_rrv_t, finm, n_finm),
	STRS_FIELD("fail_if_none_matches_regexp", cy_rrv_t, fino, n_fino),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t cy_tls_fields[] = {
	STR_FIELD("ca_file", cy_tls_t, ca_file),
	STR_FIELD("cert_file", cy_tls_t, cert_file),
	STR_FIELD("key_file", cy_tls_t, key_file),
	STR_FIELD("server_name", cy_tls_t, server_name),
	CYAML_FIELD_IGNORE("insecure_skip_verify", CYAML_FLAG_OPTIONAL),
	STR_FIELD("min_version", cy_tls_t, min_version),
	STR_FIELD("max_version", cy_tls_t, max_version),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t cy_dns_fields[] = {
	STR_FIELD("preferred_ip_protocol", cy_dns_t, preferred_ip_protocol),
	CYAML_FIELD_IGNORE("ip_protocol_fallback", CYAML_FLAG_OPTIONAL),
	CYAML_FIELD_IGNORE("dns_over_tls", CYAML_FLAG_OPTIONAL),
	CYAML_FIELD_MAPPING_PTR("tls_config", OPT_NULL_STR, cy_dns_t, tls_config, cy_tls_fields),
	STR_FIELD("source_ip_address", cy_dns_t, source_ip_address),
	STR_FIELD("transport_protocol", cy_dns_t, transport_protocol),
	STR_FIELD("query_class", cy_dns_t, query_class),
	STR_FIELD("query_name", cy_dns_t, query_name),
	STR_FIELD("query_type", cy_dns_t, query_type),
	CYAML_FIELD_IGNORE("recursion_desired", CYAML_FLAG_OPTIONAL),
	STRS_FIELD("valid_rcodes", cy_dns_t, valid_rcodes, n_valid_rcodes),
	CYAML_FIELD_MAPPING_PTR("validate_answer_rrs", OPT_NULL_STR, cy_dns_t, answer, cy_rrv_fields),
	CYAML_FIELD_MAPPING_PTR("validate_authority_rrs", OPT_NULL_STR, cy_dns_t, authority, cy_rrv_fields),
	CYAML_FIELD_MAPPING_PTR("validate_additional_rrs", OPT_NULL_STR, cy_dns_t, additional, cy_rrv_fields),
	CYAML_FIELD_IGNORE("edns", CYAML_FLAG_OPTIONAL),
	CYAML_FIELD_IGNORE("dnssec", CYAML_FLAG_OPTIONAL),
	CYAML_FIELD_IGNORE("tcp_on_truncation", CYAML_FLAG_OPTIONAL),
	CYAML_FIELD_END,
};

static const cyaml_schema_field_t cy_module_fields[] = {
	STR_FIELD("prober", cy_module_t, prober),
	CYAML_FIELD_IGNORE("timeout", CYAML_FLAG_OPTIONAL),
	CYAML_FIELD_IGNORE("http", CYAML_FLAG_OPTIONAL),
	CYAML_FIELD_IGNORE("tcp", CYAML_FLAG_OPTIONAL),
	CYAML_FIELD_IGNORE("icmp", CYAML_FLAG_OPTIONAL),
	CYAML_FIELD_MAPPING_PTR("dns", OPT_NULL_STR, cy_module_t, dns, cy_dns_fields),
	CYAML_FIELD_IGNORE("grpc", CYAML_FLAG_OPTIONAL),
	CYAML_FIELD_END,
};

static const cyaml_schema_value_t cy_module_value = {
	CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER_NULL_STR, cy_module_t, cy_module_fields),
};

/* What config_unref frees besides the modules: the libcyaml tree and the schema it was built with. */
typedef struct config_priv {
	cyaml_config_t cy;
	cyaml_schema_field_t *module_fields;   /* one per module name, then CYAML_FIELD_END */
	cyaml_schema_field_t top_fields[2];
	cyaml_schema_value_t top;
	cy_top_t *data;
} config_priv_t;

/* ---- libcyaml's log, kept for the error message ---- */

static void cy_log(cyaml_log_t level, void *ctx, const char *fmt, va_list ap)
{
	if (level >= CYAML_LOG_ERROR)
		buf_vprintf(ctx, fmt, ap);
}

/* "Load: Unexpected key: x\nLoad: Backtrace:\n  in mapping field 'dns' (line: 5, column: 7)\n..." into
 * our one-line form. */
static void cy_error(const char *path, const char *log, cyaml_err_t e, char *err, size_t errlen)
{
	char reason[256] = "";
	const char *p = strstr(log, "Load: ");
	if (p) {
		p += 6;
		size_t n = strcspn(p, "\n");
		snprintf(reason, sizeof reason, "%.*s", (int)n, p);
	} else {
		snprintf(reason, sizeof reason, "%s", cyaml_strerror(e));
	}
	unsigned line = 0, col = 0;
	char key[128] = "?";
	const char *f = strstr(log, "field '");
	if (f)
		sscanf(f, "field '%127[^']' (line: %u, column: %u)", key, &line, &col);
	else if ((f = strstr(log, "(line: ")))
		sscanf(f, "(line: %u, column: %u)", &line, &col);
	snprintf(err, errlen, "error parsing config file: %s:%u:%u: %s: %s", path, line, col, key, reason);
}

/* ---- building the snapshot ---- */

static int add_list(validate_list_t *l, char **s, unsigned n)
{
	if (n == 0)
		return 0;
	l->re = calloc(n, sizeof *l->re);
	if (!l->re)
		return NSP_ENOMEM;
	for (unsigned i = 0; i < n; i++) {
		l->re[i] = regex_new(s[i] ? s[i] : "");
		if (!l->re[i])
			return NSP_ENOMEM;
		l->n++;
	}
	return 0;
}

static int add_rules(validate_rules_t *r, const cy_rrv_t *v)
{
	if (!v)
		return 0;
	int rc = add_list(&r->fail_if_matches_regexp, v->fim, v->n_fim);
	if (!rc)
		rc = add_list(&r->fail_if_all_match_regexp, v->fiam, v->n_fiam);
	if (!rc)
		rc = add_list(&r->fail_if_not_matches_regexp, v->finm, v->n_finm);
	if (!rc)
		rc = add_list(&r->fail_if_none_matches_regexp, v->fino, v->n_fino);
	return rc;
}

static bool node_bool(const yamldoc_map_t *m, const char *key, bool def)
{
	bool b;
	yaml_node_t *v = m ? yamldoc_map_get(m, key) : NULL;
	return v && !yamldoc_is_null(v) && yamldoc_bool_value(v, &b) ? b : def;
}

/* cyaml's string where pass 1 saw a non-null value; NULL where yaml.v3 would have left the default. */
static char *str_if(const yamldoc_map_t *m, const char *key, char *s)
{
	yaml_node_t *v = m ? yamldoc_map_get(m, key) : NULL;
	return v && !yamldoc_is_null(v) ? s : NULL;
}

static int build_dns(yamldoc_t *c, config_module_t *mod, yaml_node_t *node, const cy_dns_t *cy)
{
	config_dns_t *d = &mod->dns;
	d->query_type = 255;   /* dns.TypeANY, prober/dns.go */
	d->query_class = 1;    /* dns.ClassINET */
	if (!node || !cy)
		return 0;
	yamldoc_map_t m = { 0 };
	if (!yamldoc_map_build(c, node, true, &m))
		return c->oom ? NSP_ENOMEM : NSP_ECONFIG;
	d->query_name = str_if(&m, "query_name", cy->query_name);
	d->query_type_name = str_if(&m, "query_type", cy->query_type);
	d->query_class_name = str_if(&m, "query_class", cy->query_class);
	if (d->query_type_name && d->query_type_name[0])
		dnstab_type_from_name(d->query_type_name, &d->query_type);
	if (d->query_class_name && d->query_class_name[0])
		dnstab_class_from_name(d->query_class_name, &d->query_class);
	d->recursion_desired = node_bool(&m, "recursion_desired", true);
	d->transport_protocol = str_if(&m, "transport_protocol", cy->transport_protocol);
	d->dns_over_tls = node_bool(&m, "dns_over_tls", false);
	d->preferred_ip_protocol = str_if(&m, "preferred_ip_protocol", cy->preferred_ip_protocol);
	d->ip_protocol_fallback = node_bool(&m, "ip_protocol_fallback", true);
	d->source_ip_address = str_if(&m, "source_ip_address", cy->source_ip_address);
	if (str_if(&m, "valid_rcodes", (char *)"")) {
		d->valid_rcodes_set = true;
		d->valid_rcodes = cy->valid_rcodes;
		d->n_valid_rcodes = cy->n_valid_rcodes;
	}
	/* nsprobe's extensions: pass 1 has checked them, read them from its document */
	d->tcp_on_truncation = node_bool(&m, "tcp_on_truncation", false);
	yaml_node_t *edns = yamldoc_map_get(&m, "edns");
	yaml_node_t *dnssec = yamldoc_map_get(&m, "dnssec");
	if (dnssec && !yamldoc_is_null(dnssec)) {
		yamldoc_map_t sm = { 0 };
		if (!yamldoc_map_build(c, dnssec, true, &sm)) {
			yamldoc_map_free(&m);
			return NSP_ENOMEM;
		}
		d->dnssec_validate = node_bool(&sm, "validate", false);
		yaml_node_t *mv = yamldoc_map_get(&sm, "min_validity");
		if (mv && !yamldoc_is_null(mv))
			duration_parse(yamldoc_scalar(mv), &d->dnssec_min_validity_ns);
		yamldoc_map_free(&sm);
	}
	if ((edns && !yamldoc_is_null(edns)) || d->dnssec_validate) {
		d->edns = true;
		d->edns_udp_size = 1232;    /* the DNS flag day 2020 size */
		if (edns && !yamldoc_is_null(edns)) {
			yamldoc_map_t em = { 0 };
			if (!yamldoc_map_build(c, edns, true, &em)) {
				yamldoc_map_free(&m);
				return NSP_ENOMEM;
			}
			yaml_node_t *sz = yamldoc_map_get(&em, "udp_size");
			if (sz && !yamldoc_is_null(sz))
				d->edns_udp_size = (uint16_t)strtol(yamldoc_scalar(sz), NULL, 0);
			d->edns_do = node_bool(&em, "do", false);
			d->edns_nsid = node_bool(&em, "nsid", false);
			yamldoc_map_free(&em);
		}
		if (d->dnssec_validate)
			d->edns_do = true;          /* dnssec: implies the DO bit */
	}
	d->extensions = d->edns || d->tcp_on_truncation;

	yaml_node_t *tls = yamldoc_map_get(&m, "tls_config");
	if (cy->tls_config && tls && !yamldoc_is_null(tls)) {
		yamldoc_map_t tm = { 0 };
		if (!yamldoc_map_build(c, tls, true, &tm)) {
			yamldoc_map_free(&m);
			return NSP_ENOMEM;
		}
		const cy_tls_t *t = cy->tls_config;
		d->tls_config.ca_file = str_if(&tm, "ca_file", t->ca_file);
		d->tls_config.cert_file = str_if(&tm, "cert_file", t->cert_file);
		d->tls_config.key_file = str_if(&tm, "key_file", t->key_file);
		d->tls_config.server_name = str_if(&tm, "server_name", t->server_name);
		d->tls_config.min_version = str_if(&tm, "min_version", t->min_version);
		d->tls_config.max_version = str_if(&tm, "max_version", t->max_version);
		d->tls_config.insecure_skip_verify = node_bool(&tm, "insecure_skip_verify", false);
		yamldoc_map_free(&tm);
	}
	yamldoc_map_free(&m);
	int rc = add_rules(&d->validate_answer_rrs, cy->answer);
	if (!rc)
		rc = add_rules(&d->validate_authority_rrs, cy->authority);
	if (!rc)
		rc = add_rules(&d->validate_additional_rrs, cy->additional);
	return rc;
}

static int build_module(yamldoc_t *c, config_module_t *mod, yaml_node_t *node, const cy_module_t *cy)
{
	mod->debug_yaml = config_dump_module(c, node);
	if (!mod->debug_yaml)
		return NSP_ENOMEM;
	if (!node || yamldoc_is_null(node)) {
		/* a null module is Go's zero Module: no DefaultModule, so no DNS defaults either */
		mod->dns.query_type = 255;
		mod->dns.query_class = 1;
		return 0;
	}
	yamldoc_map_t m = { 0 };
	if (!yamldoc_map_build(c, node, true, &m))
		return c->oom ? NSP_ENOMEM : NSP_ECONFIG;
	mod->prober = cy ? str_if(&m, "prober", cy->prober) : NULL;
	yaml_node_t *t = yamldoc_map_get(&m, "timeout");
	if (t && !yamldoc_is_null(t))
		duration_parse(yamldoc_scalar(t), &mod->timeout_ns);
	yaml_node_t *dns = yamldoc_map_get(&m, "dns");
	yamldoc_map_free(&m);
	if (dns && !yamldoc_is_null(dns))
		return build_dns(c, mod, dns, cy ? cy->dns : NULL);
	/* config.DefaultDNSProbe */
	mod->dns.query_type = 255;
	mod->dns.query_class = 1;
	mod->dns.recursion_desired = true;
	mod->dns.ip_protocol_fallback = true;
	return 0;
}

/* The DoT modules' credentials, read here (start-up or the reload thread) and never on a loop.
 * blackbox reads them per probe and fails the probe, so a bad file is kept in the credentials as
 * their error, not reported as a load error. Modules naming the same files share one set. */
static int build_tls_creds(config_t *cfg)
{
	for (size_t i = 0; i < cfg->n_modules; i++) {
		config_dns_t *d = &cfg->modules[i].dns;
		if (!d->dns_over_tls)
			continue;
		const config_tls_t *t = &d->tls_config;
		tlscreds_files_t f = { .ca_file = t->ca_file, .cert_file = t->cert_file, .key_file = t->key_file,
		                       .min_version = t->min_version, .max_version = t->max_version };
		for (size_t j = 0; j < i && !d->tls_creds; j++) {
			tlscreds_t *o = cfg->modules[j].dns.tls_creds;
			if (o && tlscreds_same(o, &f))
				d->tls_creds = tlscreds_ref(o);
		}
		if (!d->tls_creds && tlscreds_new(&f, &d->tls_creds) != 0)
			return NSP_ENOMEM;
	}
	return 0;
}

static void config_free(config_t *c)
{
	if (!c)
		return;
	for (size_t i = 0; i < c->n_modules; i++) {
		config_module_t *m = &c->modules[i];
		free(m->name);
		free(m->debug_yaml);
		validate_rules_deinit(&m->dns.validate_answer_rrs);
		validate_rules_deinit(&m->dns.validate_authority_rrs);
		validate_rules_deinit(&m->dns.validate_additional_rrs);
		tlscreds_unref(m->dns.tls_creds);
	}
	free(c->modules);
	config_priv_t *p = c->priv;
	if (p) {
		if (p->data)
			cyaml_free(&p->cy, &p->top, p->data, 0);
		free(p->module_fields);
		free(p);
	}
	free(c->path);
	free(c);
}

/* Pass 2: libcyaml over `text` with one schema field per module name. */
static int load_cyaml(config_t *cfg, const char *text, size_t len, char *err, size_t errlen)
{
	config_priv_t *p = cfg->priv;
	size_t n = cfg->n_modules;
	p->module_fields = calloc(n + 1, sizeof *p->module_fields);
	if (!p->module_fields)
		return NSP_ENOMEM;
	for (size_t i = 0; i < n; i++) {
		p->module_fields[i].key = cfg->modules[i].name;
		p->module_fields[i].data_offset = (uint32_t)(i * sizeof(cy_module_t *));
		p->module_fields[i].value = cy_module_value;
	}
	p->top_fields[0] = (cyaml_schema_field_t){
		.key = "modules",
		.data_offset = offsetof(cy_top_t, modules),
		.value = { .type = CYAML_MAPPING, .flags = CYAML_FLAG_POINTER,
		           .data_size = (uint32_t)(n * sizeof(cy_module_t *)),
		           .mapping.fields = p->module_fields },
	};
	p->top_fields[1] = (cyaml_schema_field_t)CYAML_FIELD_END;
	p->top = (cyaml_schema_value_t){ CYAML_VALUE_MAPPING(CYAML_FLAG_POINTER, cy_top_t, p->top_fields) };

	buf_t log = BUF_INIT;
	p->cy = (cyaml_config_t){ .log_fn = cy_log, .log_ctx = &log, .mem_fn = cyaml_mem,
	                          .log_level = CYAML_LOG_ERROR, .flags = CYAML_CFG_DEFAULT };
	cyaml_err_t e = cyaml_load_data((const uint8_t *)text, len, &p->cy, &p->top, (cyaml_data_t **)&p->data,
	                                NULL);
	p->cy.log_ctx = NULL;
	int rc = 0;
	if (e == CYAML_ERR_OOM) {
		rc = NSP_ENOMEM;
	} else if (e != CYAML_OK) {
		cy_error(cfg->path, buf_str(&log), e, err, errlen);
		rc = NSP_ECONFIG;
	}
	buf_free(&log);
	if (rc)
		p->data = NULL;
	return rc;
}

static int load_doc(config_t *cfg, yamldoc_t *chk, const char *text, size_t len, char *err, size_t errlen)
{
	yaml_node_t *root = yaml_document_get_root_node(chk->doc);
	if (!root) {
		snprintf(err, errlen, "error parsing config file: %s: EOF", cfg->path);
		return NSP_ECONFIG;
	}
	if (!config_check_document(chk, root))
		return chk->oom ? NSP_ENOMEM : NSP_ECONFIG;

	/* the modules, in file order */
	yamldoc_map_t top = { 0 }, mods = { 0 };
	yaml_node_t *mnode = NULL;
	int rc = 0;
	if (root->type == YAML_MAPPING_NODE) {
		if (!yamldoc_map_build(chk, root, true, &top))
			return NSP_ENOMEM;
		mnode = yamldoc_map_get(&top, "modules");
		yamldoc_map_free(&top);
	}
	if (mnode && mnode->type == YAML_MAPPING_NODE && !yamldoc_map_build(chk, mnode, false, &mods))
		return NSP_ENOMEM;
	if (mods.n) {
		cfg->modules = calloc(mods.n, sizeof *cfg->modules);
		if (!cfg->modules) {
			yamldoc_map_free(&mods);
			return NSP_ENOMEM;
		}
	}
	for (size_t i = 0; i < mods.n; i++) {
		cfg->modules[i].name = strdup(yamldoc_scalar(mods.kv[i].key));
		if (!cfg->modules[i].name) {
			yamldoc_map_free(&mods);
			return NSP_ENOMEM;
		}
		cfg->n_modules++;
	}

	/* pass 2 */
	char *resolved = NULL;
	if (cfg->n_modules) {
		const char *t = text;
		/* only the first document (yaml.v3's Decoder reads one): its end mark counts characters,
		 * and libcyaml must read the same bytes pass 1 read */
		size_t tlen = yamlmark_offset(text, len, chk->doc->end_mark.index);
		if (chk->has_merge) {
			resolved = config_dump_resolved(chk, root, &tlen);
			if (!resolved)
				rc = NSP_ENOMEM;
			t = resolved;
		}
		if (!rc)
			rc = load_cyaml(cfg, t, tlen, err, errlen);
	}
	config_priv_t *p = cfg->priv;
	for (size_t i = 0; !rc && i < cfg->n_modules; i++)
		rc = build_module(chk, &cfg->modules[i], mods.kv[i].value, p->data ? p->data->modules[i] : NULL);
	if (!rc)
		rc = build_tls_creds(cfg);
	free(resolved);
	yamldoc_map_free(&mods);
	return rc;
}

int config_load_text(const char *name, const char *text, size_t len, config_t **out, char *err,
                     size_t errlen)
{
	char dummy[1];
	if (!err || errlen == 0) {
		err = dummy;
		errlen = sizeof dummy;
	}
	err[0] = '\0';
	*out = NULL;
	config_t *cfg = calloc(1, sizeof *cfg);
	if (!cfg || !(cfg->path = strdup(name)) || !(cfg->priv = calloc(1, sizeof(config_priv_t)))) {
		config_free(cfg);
		snprintf(err, errlen, "error parsing config file: %s: out of memory", name);
		return NSP_ENOMEM;
	}
	atomic_init(&cfg->refs, 1);

	/* Before libyaml builds the document or anything recurses over it: yaml.v3's nesting limit */
	yaml_mark_t deep = { 0 };
	yamldepth_verdict_t dv = yamldepth_check(text, len, &deep);
	switch (dv) {
	case YAMLDEPTH_OK:
		break;
	case YAMLDEPTH_EXCEEDED:
	case YAMLDEPTH_COSTLY:
		snprintf(err, errlen, "error parsing config file: %s:%zu:%zu: yaml: %s", name, deep.line + 1,
		         deep.column + 1, yamldepth_text(dv));
		config_free(cfg);
		return NSP_ECONFIG;
	case YAMLDEPTH_NOMEM:
		snprintf(err, errlen, "error parsing config file: %s: out of memory", name);
		config_free(cfg);
		return NSP_ENOMEM;
	}

	yaml_parser_t parser;
	yaml_document_t doc;
	int rc = 0;
	if (!yaml_parser_initialize(&parser)) {
		config_free(cfg);
		return NSP_ENOMEM;
	}
	yaml_parser_set_input_string(&parser, (const unsigned char *)text, len);
	if (!yaml_parser_load(&parser, &doc)) {
		if (parser.error == YAML_MEMORY_ERROR)
			rc = NSP_ENOMEM;
		else {
			snprintf(err, errlen, "error parsing config file: %s:%zu:%zu: yaml: %s", name,
			         parser.problem_mark.line + 1, parser.problem_mark.column + 1,
			         parser.problem ? parser.problem : "syntax error");
			rc = NSP_ECONFIG;
		}
		yaml_parser_delete(&parser);
		config_free(cfg);
		return rc;
	}
	/* Before anything follows an alias in libyaml's shared-node document: yaml.v3's alias rules */
	char anchor[128];
	yaml_mark_t where = { 0 };
	switch (yamlalias_check(text, len, anchor, sizeof anchor, &where)) {
	case YAMLALIAS_OK:
		break;
	case YAMLALIAS_CYCLE:
		snprintf(err, errlen, "error parsing config file: %s:%zu:%zu: yaml: anchor '%s' value contains itself",
		         name, where.line + 1, where.column + 1, anchor);
		rc = NSP_ECONFIG;
		break;
	case YAMLALIAS_EXCESSIVE:
		snprintf(err, errlen, "error parsing config file: %s: yaml: document contains excessive aliasing", name);
		rc = NSP_ECONFIG;
		break;
	case YAMLALIAS_NOMEM:
		rc = NSP_ENOMEM;
		break;
	}
	yamldoc_t chk = { .doc = &doc, .path = name, .err = err, .errlen = errlen };
	if (!rc)
		rc = load_doc(cfg, &chk, text, len, err, errlen);
	yaml_document_delete(&doc);
	yaml_parser_delete(&parser);
	if (rc) {
		if (rc == NSP_ENOMEM && !err[0])
			snprintf(err, errlen, "error parsing config file: %s: out of memory", name);
		config_free(cfg);
		return rc;
	}
	*out = cfg;
	return 0;
}

int config_load(const char *path, config_t **out, char *err, size_t errlen)
{
	*out = NULL;
	FILE *f = fopen(path, "rb");
	if (!f) {
		/* Go's os.Open error text */
		int e = errno;
		char msg[128];
		nsp_errno_text(e, msg, sizeof msg);
		snprintf(err, errlen, "error reading config file: open %s: %s", path, msg);
		return NSP_ECONFIG;
	}
	buf_t b = BUF_INIT;
	char chunk[8192];
	size_t n;
	while ((n = fread(chunk, 1, sizeof chunk, f)) > 0)
		buf_append(&b, chunk, n);
	bool rerr = ferror(f);
	int e = errno;
	fclose(f);
	if (rerr) {
		buf_free(&b);
		snprintf(err, errlen, "error parsing config file: read %s: %s", path, strerror(e));
		return NSP_ECONFIG;
	}
	if (!buf_ok(&b)) {
		buf_free(&b);
		snprintf(err, errlen, "error parsing config file: %s: out of memory", path);
		return NSP_ENOMEM;
	}
	int rc = config_load_text(path, buf_str(&b), b.len, out, err, errlen);
	buf_free(&b);
	return rc;
}

const config_module_t *config_module_get(const config_t *c, const char *name)
{
	for (size_t i = 0; c && i < c->n_modules; i++)
		if (strcmp(c->modules[i].name, name) == 0)
			return &c->modules[i];
	return NULL;
}

config_t *config_ref(config_t *c)
{
	if (c)
		atomic_fetch_add_explicit(&c->refs, 1, memory_order_relaxed);
	return c;
}

void config_unref(config_t *c)
{
	if (c && atomic_fetch_sub_explicit(&c->refs, 1, memory_order_acq_rel) == 1)
		config_free(c);
}

