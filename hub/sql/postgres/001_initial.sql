-- Vigil hub store, schema 1: one generic table per kind of storage (hub/src/store/README.md).
-- Documents are the hub's own JSON text (`text`, not `jsonb`): PostgreSQL then never refuses a record
-- the hub accepted (jsonb rejects \u0000 and very deep nesting), and `doc::jsonb` still serves queries.

-- Records by id (users, sessions, tokens, devices, register/findings …). `version` rises with every
-- write of the record: optimistic concurrency between hubs (409) compares it.
CREATE TABLE vigil_collections (
  collection text NOT NULL,
  id text NOT NULL,
  doc text NOT NULL,
  version bigint NOT NULL DEFAULT 1,
  PRIMARY KEY (collection, id)
);

-- Append-only logs (audit, events, register/history …), read newest first by seq.
CREATE TABLE vigil_logs (
  log text NOT NULL,
  seq bigserial NOT NULL,
  entry text NOT NULL,
  PRIMARY KEY (log, seq)
);

-- Content-addressed documents (inventories, hardening): the key is the SHA-256 of the content.
CREATE TABLE vigil_blobs (
  kind text NOT NULL,
  hash text NOT NULL,
  doc text NOT NULL,
  PRIMARY KEY (kind, hash)
);

-- Keyed documents replaced whole (advisory-db …).
CREATE TABLE vigil_docs (
  store text NOT NULL,
  key text NOT NULL,
  doc text NOT NULL,
  PRIMARY KEY (store, key)
);

-- Store-wide settings, e.g. the record schema version (store/migrations.ts).
CREATE TABLE vigil_meta (
  key text PRIMARY KEY,
  value text NOT NULL
);
