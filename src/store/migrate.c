/* migrate.c: the schema, as numbered migrations (see migrate.h).
 * Migrations are append-only: never edit one that has shipped; add the next.
 * The DDL here is written once, in SQLite's words; the PostgreSQL backend
 * translates it (pg.c: INTEGER -> BIGINT, identity keys, BYTEA), so both
 * databases have the same tables under the same version numbers. */

#include "store/migrate.h"
#include "store/backend.h"
#include "core/status.h"
#include "core/timeutil.h"

#include <stdio.h>
#include <string.h>

typedef struct migration {
    int version;
    const char *name;
    const char *sql;
} migration;

static const migration migrations[] = {
    {1, "events chain and meta",
     "CREATE TABLE meta ("
     "  key TEXT PRIMARY KEY,"
     "  value TEXT NOT NULL);"
     /* The full-process record and audit chain (DESIGN §5, docs/events.md).
      * seq is the global order; (ledger, lseq) is the position in its chain. */
     "CREATE TABLE events ("
     "  seq INTEGER PRIMARY KEY,"
     "  ledger TEXT NOT NULL,"
     "  lseq INTEGER NOT NULL,"
     "  at INTEGER NOT NULL,"
     "  actor TEXT NOT NULL,"
     "  unit_id INTEGER NOT NULL,"
     "  region_code TEXT NOT NULL,"
     "  subject_kind TEXT NOT NULL,"
     "  subject_id TEXT NOT NULL,"
     "  action TEXT NOT NULL,"
     "  from_state TEXT NOT NULL,"
     "  to_state TEXT NOT NULL,"
     "  payload TEXT NOT NULL,"
     "  def_digest TEXT NOT NULL,"
     "  prev_hash TEXT NOT NULL,"
     "  hash TEXT NOT NULL,"
     "  UNIQUE (ledger, lseq));"
     "CREATE INDEX events_subject ON events (subject_kind, subject_id, seq);"
     "CREATE INDEX events_action ON events (action, at);"
     "CREATE INDEX events_at ON events (at);"
     /* One row per chain: its head, locked by the appending transaction. */
     "CREATE TABLE ledgers ("
     "  ledger TEXT PRIMARY KEY,"
     "  lseq INTEGER NOT NULL,"
     "  head TEXT NOT NULL);"},
    {2, "identity: regions, units, users, roles, sessions, tokens, login log, settings",
     "CREATE TABLE regions ("
     "  code TEXT PRIMARY KEY,"
     "  name TEXT NOT NULL,"
     "  level INTEGER NOT NULL,"
     "  parent_code TEXT NOT NULL);"
     "CREATE INDEX regions_parent ON regions (parent_code);"
     /* path is the materialised path of ids, "/1/4/9/", for "own unit and below". */
     "CREATE TABLE units ("
     "  id INTEGER PRIMARY KEY,"
     "  name TEXT NOT NULL,"
     "  type TEXT NOT NULL,"
     "  legal_status TEXT NOT NULL,"
     "  region_code TEXT NOT NULL,"
     "  parent_id INTEGER NOT NULL,"
     "  path TEXT NOT NULL,"
     "  created_at INTEGER NOT NULL);"
     "CREATE INDEX units_path ON units (path);"
     "CREATE INDEX units_parent ON units (parent_id);"
     "CREATE TABLE users ("
     "  id INTEGER PRIMARY KEY,"
     "  username TEXT NOT NULL UNIQUE,"
     "  name TEXT NOT NULL,"
     "  unit_id INTEGER NOT NULL,"
     "  phone_enc BLOB,"
     "  id_number_enc BLOB,"
     "  pw_hash TEXT NOT NULL,"
     "  pw_changed_at INTEGER NOT NULL,"
     "  must_change_pw INTEGER NOT NULL,"
     "  disabled INTEGER NOT NULL,"
     "  totp_secret_enc BLOB,"
     "  totp_enabled INTEGER NOT NULL,"
     "  totp_last_step INTEGER NOT NULL,"
     "  created_at INTEGER NOT NULL);"
     "CREATE INDEX users_unit ON users (unit_id);"
     "CREATE TABLE roles ("
     "  id INTEGER PRIMARY KEY,"
     "  key TEXT NOT NULL UNIQUE,"
     "  name TEXT NOT NULL,"
     "  builtin INTEGER NOT NULL,"
     "  data_scope TEXT NOT NULL);"
     "CREATE TABLE role_perms ("
     "  role_id INTEGER NOT NULL,"
     "  perm TEXT NOT NULL,"
     "  PRIMARY KEY (role_id, perm));"
     "CREATE TABLE role_units ("
     "  role_id INTEGER NOT NULL,"
     "  unit_id INTEGER NOT NULL,"
     "  PRIMARY KEY (role_id, unit_id));"
     "CREATE TABLE user_roles ("
     "  user_id INTEGER NOT NULL,"
     "  role_id INTEGER NOT NULL,"
     "  PRIMARY KEY (user_id, role_id));"
     "CREATE INDEX user_roles_role ON user_roles (role_id);"
     /* Only the SM3 of a session token is stored. */
     "CREATE TABLE sessions ("
     "  token_hash TEXT PRIMARY KEY,"
     "  user_id INTEGER NOT NULL,"
     "  csrf TEXT NOT NULL,"
     "  created_at INTEGER NOT NULL,"
     "  last_seen INTEGER NOT NULL,"
     "  ip TEXT NOT NULL,"
     "  user_agent TEXT NOT NULL);"
     "CREATE INDEX sessions_user ON sessions (user_id);"
     "CREATE TABLE api_tokens ("
     "  id INTEGER PRIMARY KEY,"
     "  name TEXT NOT NULL,"
     "  token_hash TEXT NOT NULL UNIQUE,"
     "  unit_id INTEGER NOT NULL,"
     "  perms TEXT NOT NULL,"
     "  created_by TEXT NOT NULL,"
     "  created_at INTEGER NOT NULL,"
     "  expires_at INTEGER NOT NULL,"
     "  revoked_at INTEGER NOT NULL,"
     "  last_used_at INTEGER NOT NULL);"
     "CREATE TABLE login_log ("
     "  id INTEGER PRIMARY KEY,"
     "  at INTEGER NOT NULL,"
     "  username TEXT NOT NULL,"
     "  user_id INTEGER NOT NULL,"
     "  ip TEXT NOT NULL,"
     "  user_agent TEXT NOT NULL,"
     "  ok INTEGER NOT NULL,"
     "  reason TEXT NOT NULL);"
     "CREATE INDEX login_log_user ON login_log (username, at);"
     "CREATE INDEX login_log_ip ON login_log (ip, at);"
     /* Locks are per user name, so an unknown name locks exactly like a known
      * one and the answers cannot tell them apart. */
     "CREATE TABLE login_locks ("
     "  username TEXT PRIMARY KEY,"
     "  locked_until INTEGER NOT NULL,"
     /* failures before reset_at (the lock or an unlock) no longer count */
     "  reset_at INTEGER NOT NULL);"
     "CREATE TABLE recovery_codes ("
     "  user_id INTEGER NOT NULL,"
     "  code_hash TEXT NOT NULL,"
     "  used_at INTEGER NOT NULL,"
     "  PRIMARY KEY (user_id, code_hash));"
     "CREATE TABLE settings ("
     "  key TEXT PRIMARY KEY,"
     "  value TEXT NOT NULL);"
     /* Built-in roles (docs/identity.md). The three admin roles are mutually
      * exclusive and exclusive with every case-handling role (三权分立). */
     "INSERT INTO roles (id, key, name, builtin, data_scope) VALUES"
     "  (1, 'sys_admin', '系统管理员', 1, 'all'),"
     "  (2, 'sec_admin', '安全管理员', 1, 'all'),"
     "  (3, 'audit_admin', '审计管理员', 1, 'all'),"
     "  (4, 'officer', '执法人员', 1, 'unit'),"
     "  (5, 'reviewer', '法制审核员', 1, 'unit_below'),"
     "  (6, 'unit_head', '单位负责人', 1, 'unit_below'),"
     "  (7, 'supervisor', '监督员', 1, 'all'),"
     "  (8, 'leader', '领导', 1, 'all');"
     "INSERT INTO role_perms (role_id, perm) VALUES"
     "  (1, 'system:status:view'), (1, 'system:region:view'), (1, 'system:region:edit'),"
     "  (1, 'system:unit:view'), (1, 'system:unit:edit'), (1, 'system:user:view'),"
     "  (1, 'system:user:edit'), (1, 'system:role:view'), (1, 'system:role:edit'),"
     "  (1, 'system:token:manage'),"
     "  (2, 'system:status:view'), (2, 'security:policy:view'), (2, 'security:policy:edit'),"
     "  (2, 'security:user:unlock'), (2, 'system:user:view'), (2, 'system:unit:view'),"
     "  (3, 'audit:log:view'), (3, 'audit:log:export'), (3, 'chain:view'), (3, 'chain:checkpoint'),"
     "  (4, 'system:unit:view'), (5, 'system:unit:view'), (6, 'system:unit:view'),"
     "  (6, 'system:user:view'), (7, 'system:unit:view'), (7, 'system:user:view'),"
     "  (8, 'system:unit:view');"},
    {3, "calendar and clocks: holiday schedules, statutory clocks, pauses, notifications",
     /* The holiday schedules in force (docs/deadlines.md): one row per
      * marked day, one per year with where it came from. */
     "CREATE TABLE holiday_years ("
     "  year INTEGER PRIMARY KEY,"
     "  source TEXT NOT NULL,"
     "  digest TEXT NOT NULL,"
     "  workdays INTEGER NOT NULL,"
     "  origin TEXT NOT NULL,"
     "  imported_at INTEGER NOT NULL,"
     "  imported_by TEXT NOT NULL);"
     "CREATE TABLE holidays ("
     "  day TEXT PRIMARY KEY,"
     "  year INTEGER NOT NULL,"
     "  kind TEXT NOT NULL,"
     "  name TEXT NOT NULL);"
     "CREATE INDEX holidays_year ON holidays (year);"
     /* Statutory clocks on any subject; dates are ISO text so that the
      * due/overdue queries are indexed string comparisons. */
     "CREATE TABLE clocks ("
     "  id INTEGER PRIMARY KEY,"
     "  subject_kind TEXT NOT NULL,"
     "  subject_id TEXT NOT NULL,"
     "  name TEXT NOT NULL,"
     "  label TEXT NOT NULL,"
     "  basis TEXT NOT NULL,"
     "  unit_id INTEGER NOT NULL,"
     "  handler_id INTEGER NOT NULL,"
     "  region_code TEXT NOT NULL,"
     "  rule TEXT NOT NULL,"
     "  roll INTEGER NOT NULL,"
     "  warn TEXT NOT NULL,"
     "  ext_max INTEGER NOT NULL,"
     "  ext_times INTEGER NOT NULL,"
     "  ext_role TEXT NOT NULL,"
     "  extended INTEGER NOT NULL,"
     "  ext_count INTEGER NOT NULL,"
     "  start_date TEXT NOT NULL,"
     "  count_from TEXT NOT NULL,"
     "  last_date TEXT NOT NULL,"
     "  state TEXT NOT NULL,"
     "  due_date TEXT NOT NULL,"
     "  warn_date TEXT NOT NULL,"
     "  provisional INTEGER NOT NULL,"
     "  paused_since TEXT NOT NULL,"
     "  pause_reason TEXT NOT NULL,"
     "  stopped_on TEXT NOT NULL,"
     "  created_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL,"
     "  UNIQUE (subject_kind, subject_id, name));"
     "CREATE INDEX clocks_state_due ON clocks (state, due_date);"
     "CREATE INDEX clocks_state_warn ON clocks (state, warn_date);"
     "CREATE INDEX clocks_unit ON clocks (unit_id, state, due_date);"
     "CREATE INDEX clocks_handler ON clocks (handler_id, state, due_date);"
     "CREATE TABLE clock_pauses ("
     "  clock_id INTEGER NOT NULL,"
     "  seq INTEGER NOT NULL,"
     "  reason TEXT NOT NULL,"
     "  note TEXT NOT NULL,"
     "  from_date TEXT NOT NULL,"
     "  to_date TEXT NOT NULL,"
     "  restart INTEGER NOT NULL,"
     "  PRIMARY KEY (clock_id, seq));"
     /* In-app notifications; one per clock, kind and deadline. */
     "CREATE TABLE notifications ("
     "  id INTEGER PRIMARY KEY,"
     "  user_id INTEGER NOT NULL,"
     "  unit_id INTEGER NOT NULL,"
     "  region_code TEXT NOT NULL,"
     "  kind TEXT NOT NULL,"
     "  clock_id INTEGER NOT NULL,"
     "  subject_kind TEXT NOT NULL,"
     "  subject_id TEXT NOT NULL,"
     "  due_date TEXT NOT NULL,"
     "  title TEXT NOT NULL,"
     "  body TEXT NOT NULL,"
     "  created_at INTEGER NOT NULL,"
     "  read_at INTEGER NOT NULL,"
     "  UNIQUE (clock_id, kind, due_date));"
     "CREATE INDEX notifications_user ON notifications (user_id, read_at, id);"
     "CREATE INDEX notifications_unit ON notifications (unit_id, user_id, id);"
     /* calendar:view for every built-in role; the schedule and the scheduler
      * are the 系统管理员's; clocks belong to the case-handling roles. */
     "INSERT INTO role_perms (role_id, perm) VALUES"
     "  (1, 'calendar:view'), (2, 'calendar:view'), (3, 'calendar:view'), (4, 'calendar:view'),"
     "  (5, 'calendar:view'), (6, 'calendar:view'), (7, 'calendar:view'), (8, 'calendar:view'),"
     "  (1, 'calendar:edit'), (1, 'system:scheduler:run'),"
     "  (4, 'clock:view'), (5, 'clock:view'), (6, 'clock:view'), (7, 'clock:view'), (8, 'clock:view'),"
     "  (4, 'clock:edit'), (6, 'clock:edit');"},
    {4, "procedure engine: definition columns, case numbers, case permissions",
     /* What each definition table holds, so a removed or retyped field is
      * noticed at start instead of silently losing data (engine/schema.c). */
     "CREATE TABLE def_columns ("
     "  tbl TEXT NOT NULL,"
     "  col TEXT NOT NULL,"
     "  type TEXT NOT NULL,"
     "  PRIMARY KEY (tbl, col));"
     "CREATE TABLE case_seq ("
     "  kind TEXT NOT NULL,"
     "  year INTEGER NOT NULL,"
     "  n INTEGER NOT NULL,"
     "  PRIMARY KEY (kind, year));"
     "INSERT INTO role_perms (role_id, perm) VALUES"
     "  (4, 'case:view'), (5, 'case:view'), (6, 'case:view'), (7, 'case:view'), (8, 'case:view'),"
     "  (4, 'case:create'), (4, 'case:handle'), (5, 'case:handle'), (6, 'case:handle');"},
    {5, "catalog permissions",
     "INSERT INTO role_perms (role_id, perm) VALUES"
     "  (1, 'catalog:view'), (2, 'catalog:view'), (3, 'catalog:view'), (4, 'catalog:view'),"
     "  (5, 'catalog:view'), (6, 'catalog:view'), (7, 'catalog:view'), (8, 'catalog:view'),"
     "  (1, 'catalog:edit');"},
    {6, "attachments",
     /* Files are content-addressed under DIR/attachments/<sm3[0:2]>/<sm3>;
      * a row per upload (the same content may be uploaded many times). */
     "CREATE TABLE attachments ("
     "  id INTEGER PRIMARY KEY,"
     "  subject_kind TEXT NOT NULL,"
     "  subject_id TEXT NOT NULL,"
     "  category TEXT NOT NULL,"
     "  name TEXT NOT NULL,"
     "  mime TEXT NOT NULL,"
     "  size INTEGER NOT NULL,"
     "  sm3 TEXT NOT NULL,"
     "  event_seq INTEGER NOT NULL,"
     "  uploader TEXT NOT NULL,"
     "  created_at INTEGER NOT NULL);"
     "CREATE INDEX attachments_subject ON attachments (subject_kind, subject_id, category);"
     "CREATE INDEX attachments_sm3 ON attachments (sm3);"},
    {7, "definition versions",
     /* Every definition ever in force, by SM3: a case keeps the rules it was
      * started under (DESIGN §3). */
     "CREATE TABLE def_versions ("
     "  digest TEXT PRIMARY KEY,"
     "  type TEXT NOT NULL,"
     "  name TEXT NOT NULL,"
     "  json TEXT NOT NULL,"
     "  stored_at INTEGER NOT NULL);"},
    {8, "leases",
     /* Work that one app node of several must do alone (the clock scheduler):
      * the holder renews its lease before each pass; another node takes over
      * once it has run out (docs/deploy.md). */
     "CREATE TABLE leases ("
     "  name TEXT PRIMARY KEY,"
     "  holder TEXT NOT NULL,"
     "  until_ms INTEGER NOT NULL,"
     "  acquired_at INTEGER NOT NULL);"},
    {9, "publications",
     /* 公示 (国办发〔2018〕118号, 行政处罚法第四十八条): what a decision makes public,
      * desensitised when it is written (engine/publish.c). Withdrawn
      * (withdrawn_at > 0) on revocation; offline from offline_on (retention). */
     "CREATE TABLE publications ("
     "  id INTEGER PRIMARY KEY,"
     "  subject_kind TEXT NOT NULL,"
     "  subject_id TEXT NOT NULL,"
     "  case_no TEXT NOT NULL,"
     "  unit_id INTEGER NOT NULL,"
     "  region_code TEXT NOT NULL,"
     "  doc_type TEXT NOT NULL,"
     "  title TEXT NOT NULL,"
     "  party_kind TEXT NOT NULL,"
     "  body TEXT NOT NULL,"
     "  published_at INTEGER NOT NULL,"
     "  published_on TEXT NOT NULL,"
     "  offline_on TEXT NOT NULL,"
     "  withdrawn_at INTEGER NOT NULL,"
     "  withdraw_reason TEXT NOT NULL,"
     "  event_seq INTEGER NOT NULL);"
     "CREATE INDEX publications_subject ON publications (subject_kind, subject_id);"
     "CREATE INDEX publications_list ON publications (withdrawn_at, published_at);"
     "CREATE INDEX publications_unit ON publications (unit_id, published_at);"},
    {10, "file review campaigns",
     /* 案卷评查 (docs/file-review.md, engine/review_campaign.c). A campaign
      * keeps what defines its sample (procedure, states, period, N per unit,
      * seed, units) and a copy of the rubric it scores against (rubric, with
      * its SM3), so later edits of the record or of the rubric change
      * neither. The drawn files are rows of review_files; marks are JSON
      * text read by jansson (no JSON operators in SQL). Scores are in half
      * points (score2: 119 = 59.5). */
     "CREATE TABLE review_campaigns ("
     "  id INTEGER PRIMARY KEY,"
     "  name TEXT NOT NULL,"
     "  kind TEXT NOT NULL,"
     "  states TEXT NOT NULL,"
     "  date_field TEXT NOT NULL,"
     "  period_from TEXT NOT NULL,"
     "  period_to TEXT NOT NULL,"
     "  per_unit INTEGER NOT NULL,"
     "  seed TEXT NOT NULL,"
     "  units TEXT NOT NULL,"
     "  rubric_name TEXT NOT NULL,"
     "  rubric TEXT NOT NULL,"
     "  rubric_digest TEXT NOT NULL,"
     "  state TEXT NOT NULL,"
     "  candidates INTEGER NOT NULL,"
     "  summary TEXT NOT NULL,"
     "  unit_id INTEGER NOT NULL,"
     "  region_code TEXT NOT NULL,"
     "  created_by TEXT NOT NULL,"
     "  created_at INTEGER NOT NULL,"
     "  drawn_at INTEGER NOT NULL,"
     "  closed_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL);"
     "CREATE TABLE review_files ("
     "  id INTEGER PRIMARY KEY,"
     "  campaign_id INTEGER NOT NULL,"
     "  unit_id INTEGER NOT NULL,"
     "  case_kind TEXT NOT NULL,"
     "  case_id INTEGER NOT NULL,"
     "  case_no TEXT NOT NULL,"
     "  draw_rank INTEGER NOT NULL,"
     "  draw_key TEXT NOT NULL,"
     "  state TEXT NOT NULL,"
     "  score2 INTEGER NOT NULL,"
     "  band TEXT NOT NULL,"
     "  veto INTEGER NOT NULL,"
     "  marks TEXT NOT NULL,"
     "  remark TEXT NOT NULL,"
     "  scored_by TEXT NOT NULL,"
     "  scored_at INTEGER NOT NULL,"
     "  first_score2 INTEGER NOT NULL,"
     "  statement TEXT NOT NULL,"
     "  statement_by TEXT NOT NULL,"
     "  statement_at INTEGER NOT NULL,"
     "  adjust_reason TEXT NOT NULL,"
     "  adjusted_by TEXT NOT NULL,"
     "  adjusted_at INTEGER NOT NULL,"
     "  followup TEXT NOT NULL,"
     "  retrospect_note TEXT NOT NULL,"
     "  retrospect_at INTEGER NOT NULL,"
     "  referred_to TEXT NOT NULL,"
     "  referral_note TEXT NOT NULL,"
     "  referred_at INTEGER NOT NULL,"
     "  case_filed INTEGER NOT NULL,"
     "  sanctioned INTEGER NOT NULL,"
     "  first_form INTEGER NOT NULL,"
     "  advice TEXT NOT NULL,"
     "  outcome_at INTEGER NOT NULL,"
     "  updated_at INTEGER NOT NULL,"
     "  UNIQUE (campaign_id, case_id));"
     "CREATE INDEX review_files_list ON review_files (campaign_id, unit_id, draw_rank);"
     "CREATE INDEX review_files_case ON review_files (case_kind, case_id);"},
    {11, "indicators",
     /* 指标 (docs/indicators.md, engine/indicators.c). A fact per indicator
      * and case: the case's unit and period and whether it counts in the
      * numerator / denominator; values are the sums per unit and period,
      * kept by deltas in the job that changes the case or its clocks, so a
      * dashboard reads values only. `fazhi indicators recompute` rebuilds
      * both from the record. */
     "CREATE TABLE indicator_facts ("
     "  indicator TEXT NOT NULL,"
     "  kind TEXT NOT NULL,"
     "  case_id INTEGER NOT NULL,"
     "  unit_id INTEGER NOT NULL,"
     "  period TEXT NOT NULL,"
     "  in_num INTEGER NOT NULL,"
     "  in_den INTEGER NOT NULL,"
     "  PRIMARY KEY (indicator, kind, case_id));"
     "CREATE INDEX indicator_facts_drill ON indicator_facts (indicator, period, unit_id);"
     "CREATE TABLE indicator_values ("
     "  indicator TEXT NOT NULL,"
     "  unit_id INTEGER NOT NULL,"
     "  period TEXT NOT NULL,"
     "  num INTEGER NOT NULL,"
     "  den INTEGER NOT NULL,"
     "  PRIMARY KEY (indicator, unit_id, period));"},
    /* The dashboards read values from indexes alone (num and den in them):
     * a county's units one by one (unit, then months), a province-level
     * node's thousands of units by the months (period, then unit). Both
     * match their query on more columns than the other, so the planner picks
     * the right one without statistics (a covering index otherwise wins
     * over the primary key even where it reads 100 times the rows). */
    {12, "indicator values, covering indexes",
     "CREATE INDEX indicator_values_unit ON indicator_values (indicator, unit_id, period, num, den);"
     "CREATE INDEX indicator_values_period ON indicator_values (indicator, period, unit_id, num, den);"},
    /* 全过程记录 (engine/reccol.h): every case table gets records_missing,
     * the number of records the case lacks, kept with the writes so the
     * indicator recompute reads one column instead of every step event and
     * attachment. The case tables are made from the definitions
     * (engine/schema.c), so they are found in def_columns; NULL until the
     * engine derives the values from the events and attachments at the next
     * start (reccol_sync, under the definitions in force: store/ has none). */
    {13, "case tables: records_missing", ""},
};

#define N_MIGRATIONS (int)(sizeof(migrations) / sizeof(migrations[0]))

/* A name made by engine/schema.c: [a-z][a-z0-9_]*. */
static int plain_name(const char *s)
{
    if (!s || *s < 'a' || *s > 'z' || strlen(s) > 60)
        return 0;
    for (; *s; s++)
        if (!((*s >= 'a' && *s <= 'z') || (*s >= '0' && *s <= '9') || *s == '_'))
            return 0;
    return 1;
}

static int add_records_column(store_conn *c)
{
    char last[64] = "";
    for (;;) {
        store_stmt *st;
        if (store_prepare(c, "SELECT min(tbl) FROM def_columns WHERE substr(tbl, 1, 5) = 'case_' AND tbl > ?", &st))
            return FZ_ERR;
        store_bind_text(st, 1, last);
        int rc = store_step(st), done = rc != STORE_ROW || store_col_is_null(st, 0);
        if (!done && !plain_name(store_col_text(st, 0)))
            rc = FZ_INVALID;
        else if (!done)
            snprintf(last, sizeof(last), "%s", store_col_text(st, 0));
        store_done(st);
        if (rc != STORE_ROW)
            return FZ_ERR;
        if (done)
            return FZ_OK;
        char sql[160];
        snprintf(sql, sizeof(sql), "ALTER TABLE %s ADD COLUMN records_missing INTEGER", last);
        if (store_exec(c, sql))
            return FZ_ERR;
    }
}

/* What static SQL cannot say: run after the migration's SQL. */
static const struct {
    int version;
    int (*fn)(store_conn *c);
} migration_fns[] = {{13, add_records_column}};

static int migration_fn(store_conn *c, int version)
{
    for (size_t i = 0; i < sizeof(migration_fns) / sizeof(migration_fns[0]); i++)
        if (migration_fns[i].version == version)
            return migration_fns[i].fn(c);
    return FZ_OK;
}

int migrate_latest(void)
{
    return migrations[N_MIGRATIONS - 1].version;
}

static int is_pg(store_conn *c)
{
    return strcmp(store_conn_backend(c), "postgresql") == 0;
}

static int table_exists(store_conn *c, int *exists)
{
    store_stmt *st;
    if (store_prepare(c, is_pg(c) ? "SELECT count(*) FROM information_schema.tables"
                                    " WHERE table_schema = current_schema() AND table_name = ?"
                                  : "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = ?",
                      &st))
        return FZ_ERR;
    store_bind_text(st, 1, "schema_migrations");
    int rc = store_step(st);
    *exists = rc == STORE_ROW && store_col_int(st, 0) > 0;
    store_done(st);
    return rc == STORE_ROW ? FZ_OK : FZ_ERR;
}

static int read_version(store_conn *c, int *current)
{
    store_stmt *st;
    if (store_prepare(c, "SELECT coalesce(max(version), 0) FROM schema_migrations", &st))
        return FZ_ERR;
    int rc = store_step(st);
    *current = rc == STORE_ROW ? (int)store_col_int(st, 0) : 0;
    store_done(st);
    return rc == STORE_ROW ? FZ_OK : FZ_ERR;
}

static int refuse_newer(int current, char *err, size_t errlen)
{
    if (current <= migrate_latest())
        return FZ_OK;
    snprintf(err, errlen,
             "数据目录由更新版本的 fazhi 写入（数据库结构版本 %d，本程序最高支持 %d），"
             "拒绝启动；请升级 fazhi 后再打开",
             current, migrate_latest());
    return FZ_CONFLICT;
}

int migrate_check(store_conn *c, int *current, char *err, size_t errlen)
{
    int exists = 0;
    if (table_exists(c, &exists) || !exists) {
        snprintf(err, errlen, "数据库尚未初始化（缺少 schema_migrations 表）");
        return FZ_NOTFOUND;
    }
    if (read_version(c, current)) {
        snprintf(err, errlen, "无法读取数据库结构版本：%s", store_errmsg(c));
        return FZ_ERR;
    }
    return refuse_newer(*current, err, errlen);
}

/* Rows inserted with explicit ids (seeded roles, copied data) leave an
 * identity sequence behind its table; SQLite has no sequence to fix. */
int migrate_fix_sequences(store_conn *c)
{
    if (!is_pg(c))
        return FZ_OK;
    return store_exec(c, "DO $$ DECLARE r record; BEGIN FOR r IN"
                         " SELECT table_name AS t, column_name AS k FROM information_schema.columns"
                         " WHERE table_schema = current_schema() AND is_identity = 'YES' LOOP"
                         " EXECUTE format('SELECT setval(pg_get_serial_sequence(%L, %L),"
                         " (SELECT coalesce(max(%I), 0) + 1 FROM %I), false)', r.t, r.k, r.k, r.t);"
                         " END LOOP; END $$");
}

int migrate_apply(store_conn *c, int *current, char *err, size_t errlen)
{
    if (store_exec(c, "BEGIN IMMEDIATE"))
        goto fail;
    /* Two app nodes starting at once: the second waits here, then finds the
     * migrations done. */
    if (is_pg(c) && store_exec(c, "SELECT pg_advisory_xact_lock(20260101)"))
        goto fail;
    if (store_exec(c, "CREATE TABLE IF NOT EXISTS schema_migrations ("
                      " version INTEGER PRIMARY KEY, name TEXT NOT NULL, applied_at INTEGER NOT NULL)"))
        goto fail;
    if (read_version(c, current))
        goto fail;
    if (refuse_newer(*current, err, errlen)) {
        store_exec(c, "ROLLBACK");
        return FZ_CONFLICT;
    }
    for (int i = 0; i < N_MIGRATIONS; i++) {
        const migration *m = &migrations[i];
        if (m->version <= *current)
            continue;
        if ((m->sql[0] && store_exec(c, m->sql)) || migration_fn(c, m->version))
            goto fail;
        store_stmt *st;
        if (store_prepare(c, "INSERT INTO schema_migrations (version, name, applied_at) VALUES (?, ?, ?)", &st))
            goto fail;
        store_bind_int(st, 1, m->version);
        store_bind_text(st, 2, m->name);
        store_bind_int(st, 3, time_now_ms());
        int rc = store_step(st);
        store_done(st);
        if (rc != STORE_DONE)
            goto fail;
        *current = m->version;
    }
    /* SQLite functions the portable SQL uses that PostgreSQL lacks, or lacks
     * for int8 arguments (integers are bound as int8). */
    if (is_pg(c) && store_exec(c, "CREATE OR REPLACE FUNCTION instr(text, text) RETURNS integer"
                                  " LANGUAGE sql IMMUTABLE STRICT AS 'SELECT strpos($1, $2)';"
                                  "CREATE OR REPLACE FUNCTION substr(text, bigint) RETURNS text"
                                  " LANGUAGE sql IMMUTABLE STRICT AS 'SELECT substr($1, $2::integer)';"
                                  "CREATE OR REPLACE FUNCTION substr(text, bigint, bigint) RETURNS text"
                                  " LANGUAGE sql IMMUTABLE STRICT AS 'SELECT substr($1, $2::integer, $3::integer)'"))
        goto fail;
    if (migrate_fix_sequences(c))
        goto fail;
    if (store_exec(c, "COMMIT"))
        goto fail;
    return FZ_OK;
fail:
    snprintf(err, errlen, "数据库迁移失败：%s", store_errmsg(c));
    store_exec(c, "ROLLBACK");
    return FZ_ERR;
}
