import Database from 'better-sqlite3'
import { latestVersion, migrations, schemaMigrationsSql } from './migrations.ts'

/**
 * `PRAGMA application_id` of every progress file ("PodN"): it tells our file from any other SQLite
 * database that happens to sit at the store's path, before a single table is added to it.
 */
export const PROGRESS_APPLICATION_ID = 0x506f644e

/** What the file at the store's path turned out to be, before anything is written to it. */
export type FileVerdict =
  /** Nothing in it yet (a new file, or one killed before its first migration committed). */
  | { kind: 'fresh' }
  /** Our schema at `version`, exactly; `adopt` when written before files carried our id. */
  | { kind: 'ours'; version: number; adopt: boolean }
  /** Written by a newer Podnet Lab: left alone. */
  | { kind: 'newer'; version: number }
  /** Another program's database. */
  | { kind: 'foreign'; detail: string }
  /** Ours, but its tables no longer match its recorded migrations. */
  | { kind: 'schema-mismatch'; detail: string }

interface SchemaObject {
  type: string
  name: string
  sql: string
}

/** Reads only: a newer app's file and a foreign one must stay byte-for-byte as they were. */
export function inspectFile(db: Database.Database): FileVerdict {
  const appId = db.pragma('application_id', { simple: true }) as number
  if (appId !== 0 && appId !== PROGRESS_APPLICATION_ID) {
    return {
      kind: 'foreign',
      detail: `application_id is ${appId}, not Podnet Lab's ${PROGRESS_APPLICATION_ID}`
    }
  }
  const objects = schemaOf(db)
  if (!objects.some((o) => o.type === 'table' && o.name === 'schema_migrations')) {
    if (objects.length === 0) return { kind: 'fresh' }
    if (appId === 0) {
      return {
        kind: 'foreign',
        detail: `another program's database (tables: ${objects.map((o) => o.name).join(', ')})`
      }
    }
    return { kind: 'schema-mismatch', detail: 'schema_migrations is missing' }
  }
  let versions: number[]
  try {
    versions = db
      .prepare<[], { version: unknown }>('SELECT version FROM schema_migrations ORDER BY version')
      .all()
      .map((r) => Number(r.version))
  } catch (error) {
    return { kind: 'schema-mismatch', detail: `schema_migrations is unreadable (${String(error)})` }
  }
  const version = versions.at(-1) ?? 0
  if (version > latestVersion) return { kind: 'newer', version }
  if (versions.some((v, i) => v !== i + 1)) {
    return {
      kind: 'schema-mismatch',
      detail: `schema_migrations lists versions ${versions.join(', ') || 'none'}, not 1 to ${version}`
    }
  }
  const difference = schemaDifference(objects, expectedSchema(version))
  if (difference) return { kind: 'schema-mismatch', detail: `at schema version ${version}, ${difference}` }
  return { kind: 'ours', version, adopt: appId === 0 }
}

function schemaOf(db: Database.Database): SchemaObject[] {
  return db
    .prepare<[], SchemaObject>(
      "SELECT type, name, coalesce(sql, '') AS sql FROM sqlite_master WHERE name NOT LIKE 'sqlite\\_%' ESCAPE '\\' ORDER BY type, name"
    )
    .all()
}

const expectedByVersion = new Map<number, SchemaObject[]>()

/** The schema our own migrations build, up to `version`, in a throw-away in-memory database. */
function expectedSchema(version: number): SchemaObject[] {
  let schema = expectedByVersion.get(version)
  if (!schema) {
    const db = new Database(':memory:')
    try {
      db.exec(schemaMigrationsSql)
      for (const m of migrations) if (m.version <= version) db.exec(m.sql)
      schema = schemaOf(db)
    } finally {
      db.close()
    }
    expectedByVersion.set(version, schema)
  }
  return schema
}

/**
 * Files created by hand in tests and by older builds wrote the same statements with other
 * spacing, so SQL is compared without comments, case or spacing.
 */
function normalizeSql(sql: string): string {
  return sql
    .replace(/--[^\n]*/g, ' ')
    .replace(/\bIF\s+NOT\s+EXISTS\b/gi, ' ')
    .replace(/\s+/g, ' ')
    .replace(/\s*([(),])\s*/g, '$1')
    .trim()
    .toLowerCase()
}

function schemaDifference(actual: SchemaObject[], expected: SchemaObject[]): string | null {
  const key = (o: SchemaObject): string => `${o.type} ${o.name}`
  const have = new Map(actual.map((o) => [key(o), normalizeSql(o.sql)]))
  const want = new Map(expected.map((o) => [key(o), normalizeSql(o.sql)]))
  const missing = [...want.keys()].filter((k) => !have.has(k))
  const extra = [...have.keys()].filter((k) => !want.has(k))
  const changed = [...want.keys()].filter((k) => have.has(k) && have.get(k) !== want.get(k))
  const parts = [
    missing.length > 0 ? `missing ${missing.join(', ')}` : '',
    extra.length > 0 ? `unexpected ${extra.join(', ')}` : '',
    changed.length > 0 ? `changed ${changed.join(', ')}` : ''
  ].filter(Boolean)
  return parts.length > 0 ? parts.join('; ') : null
}
