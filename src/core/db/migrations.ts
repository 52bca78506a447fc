/**
 * The index schema, one entry per version. A database whose `user_version` is lower is brought
 * forward step by step; one that is higher (written by a newer StudioNOVA) is rebuilt, since the
 * index can always be made again from the files.
 *
 * `meta` holds the fingerprint of the files the index was built from. Tables derived from files
 * (`documents`, the entity tables, `problems`) are replaced when what they derive from changed.
 * `jobs` is history and is kept.
 */
export const migrations: readonly string[] = [
  `
  CREATE TABLE meta (
    key TEXT PRIMARY KEY,
    value TEXT NOT NULL
  );
  CREATE TABLE documents (
    path TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    size INTEGER NOT NULL,
    mtime_ms REAL NOT NULL,
    data TEXT,
    problems TEXT NOT NULL
  );
  CREATE TABLE characters (
    id TEXT PRIMARY KEY,
    name TEXT NOT NULL,
    trigger_word TEXT,
    class TEXT,
    lora TEXT,
    description TEXT,
    path TEXT NOT NULL,
    consent_at TEXT
  );
  CREATE TABLE datasets (
    id TEXT PRIMARY KEY,
    character_id TEXT,
    trigger_word TEXT,
    kind TEXT NOT NULL,
    repeats INTEGER NOT NULL,
    path TEXT NOT NULL,
    image_count INTEGER NOT NULL,
    captioned_count INTEGER NOT NULL
  );
  CREATE TABLE loras (
    name TEXT PRIMARY KEY,
    path TEXT,
    character_id TEXT,
    source TEXT NOT NULL
  );
  CREATE TABLE chapters (
    id TEXT PRIMARY KEY,
    number INTEGER NOT NULL,
    title TEXT NOT NULL,
    path TEXT NOT NULL
  );
  CREATE TABLE pages (
    path TEXT PRIMARY KEY,
    chapter_id TEXT NOT NULL,
    number INTEGER NOT NULL,
    panel_count INTEGER NOT NULL
  );
  CREATE INDEX pages_by_chapter ON pages (chapter_id, number);
  CREATE TABLE assets (
    path TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    chapter_id TEXT,
    page INTEGER,
    version INTEGER,
    stage TEXT,
    size INTEGER NOT NULL,
    mtime_ms REAL NOT NULL,
    has_sidecar INTEGER NOT NULL
  );
  CREATE INDEX assets_by_time ON assets (mtime_ms DESC);
  CREATE INDEX assets_by_page ON assets (chapter_id, page, version);
  CREATE TABLE problems (
    path TEXT NOT NULL,
    start_line INTEGER NOT NULL,
    start_column INTEGER NOT NULL,
    end_line INTEGER NOT NULL,
    end_column INTEGER NOT NULL,
    severity TEXT NOT NULL,
    code TEXT NOT NULL,
    message TEXT NOT NULL
  );
  CREATE INDEX problems_by_path ON problems (path);
  CREATE TABLE jobs (
    id TEXT PRIMARY KEY,
    kind TEXT NOT NULL,
    status TEXT NOT NULL,
    created_at TEXT NOT NULL,
    updated_at TEXT NOT NULL,
    params TEXT NOT NULL,
    error TEXT
  );
  CREATE INDEX jobs_by_status ON jobs (status, created_at);
  `,
  // 2: a character's own negative prompt, merged into every generation of it. The parse cache
  // and digests are cleared so every file is read again with the new field.
  `
  ALTER TABLE characters ADD COLUMN negative TEXT;
  DELETE FROM documents;
  DELETE FROM meta;
  `,
  // 3: each page's panels, and the panel and seed of each generated image from its line in
  // output/generation-log.jsonl, so the versions of one panel can be listed. The parse cache and
  // digests are cleared so every file is read again, the log included.
  `
  ALTER TABLE assets ADD COLUMN panel INTEGER;
  ALTER TABLE assets ADD COLUMN seed INTEGER;
  ALTER TABLE pages ADD COLUMN panels TEXT NOT NULL DEFAULT '[]';
  CREATE INDEX assets_by_panel ON assets (chapter_id, page, panel, version);
  DELETE FROM documents;
  DELETE FROM meta;
  `,
  // 4: what the gallery filters, searches and sorts on, per image: from its generation-log line,
  // or, for images made elsewhere, from their own metadata, cached in image_meta by size and time
  // so each foreign image is read once. The parse cache is cleared: log lines now carry more.
  `
  ALTER TABLE assets ADD COLUMN source TEXT NOT NULL DEFAULT 'unknown';
  ALTER TABLE assets ADD COLUMN character_id TEXT;
  ALTER TABLE assets ADD COLUMN checkpoint TEXT;
  ALTER TABLE assets ADD COLUMN loras TEXT NOT NULL DEFAULT '[]';
  ALTER TABLE assets ADD COLUMN prompt TEXT;
  ALTER TABLE assets ADD COLUMN negative TEXT;
  ALTER TABLE assets ADD COLUMN width INTEGER;
  ALTER TABLE assets ADD COLUMN height INTEGER;
  ALTER TABLE assets ADD COLUMN created_ms REAL NOT NULL DEFAULT 0;
  ALTER TABLE assets ADD COLUMN approved INTEGER NOT NULL DEFAULT 0;
  ALTER TABLE assets ADD COLUMN listed INTEGER NOT NULL DEFAULT 1;
  ALTER TABLE assets ADD COLUMN rating INTEGER NOT NULL DEFAULT 0;
  CREATE INDEX assets_by_created ON assets (listed, created_ms DESC);
  CREATE TABLE image_meta (
    path TEXT PRIMARY KEY,
    size INTEGER NOT NULL,
    mtime_ms REAL NOT NULL,
    data TEXT NOT NULL
  );
  DELETE FROM documents;
  DELETE FROM meta;
  `,
];

export const schemaVersion = migrations.length;
