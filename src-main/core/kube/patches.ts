/**
 * The three patch types `kubectl patch --type` sends: JSON merge patch (RFC 7386), strategic
 * merge patch (the same, except that lists Kubernetes knows merge items by their key: ports by
 * `port` or `containerPort`, containers by `name`) and JSON patch (RFC 6902 add, remove,
 * replace, move, copy, test).
 */

type Json = null | boolean | number | string | Json[] | { [k: string]: Json }
const isMap = (v: unknown): v is Record<string, Json> =>
  typeof v === 'object' && v !== null && !Array.isArray(v)

/** The merge key of a list under each field name, as the types' `patchMergeKey` tags say. */
const MERGE_KEYS: Record<string, string> = { ports: 'port', containers: 'name' }
const mergeKeyOf = (field: string, items: readonly Json[]): string | undefined => {
  if (field === 'ports' && items.some((i) => isMap(i) && 'containerPort' in i)) return 'containerPort'
  return MERGE_KEYS[field]
}

export function mergePatch(target: Json, patch: Json, strategic: boolean, field = ''): Json {
  if (strategic && Array.isArray(patch) && Array.isArray(target)) {
    const key = mergeKeyOf(field, [...target, ...patch])
    if (key !== undefined) {
      const out = target.map((x) => x)
      for (const item of patch) {
        const at = isMap(item) ? out.findIndex((x) => isMap(x) && x[key] === item[key]) : -1
        if (at >= 0) out[at] = mergePatch(out[at]!, item, true)
        else out.push(item)
      }
      return out
    }
  }
  if (!isMap(patch)) return patch
  const out: Record<string, Json> = isMap(target) ? { ...target } : {}
  for (const [k, v] of Object.entries(patch)) {
    if (v === null) delete out[k]
    else out[k] = mergePatch(out[k] ?? null, v, strategic, k)
  }
  return out
}

type JsonPatchResult = { ok: true; doc: Json } | { ok: false; message: string }

/** RFC 6901 pointer segments. */
function pointer(path: string): string[] | undefined {
  if (path === '') return []
  if (!path.startsWith('/')) return undefined
  return path
    .slice(1)
    .split('/')
    .map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'))
}

function getAt(doc: Json, segs: readonly string[]): Json | undefined {
  let cur: Json | undefined = doc
  for (const s of segs) {
    if (Array.isArray(cur)) cur = cur[Number(s)]
    else if (isMap(cur)) cur = cur[s]
    else return undefined
  }
  return cur
}

/** Applies ops to a copy; messages are evanphx/json-patch's, which the apiserver returns. */
export function jsonPatch(doc: Json, ops: unknown): JsonPatchResult {
  if (!Array.isArray(ops))
    return { ok: false, message: 'json: cannot unmarshal object into Go value of type jsonpatch.Patch' }
  let out = JSON.parse(JSON.stringify(doc)) as Json
  for (const op of ops) {
    if (!isMap(op) || typeof op['op'] !== 'string' || typeof op['path'] !== 'string')
      return { ok: false, message: 'Unexpected kind: ' }
    const segs = pointer(op['path'])
    if (!segs) return { ok: false, message: `doc is missing path: "${op['path']}": missing value` }
    const parent = getAt(out, segs.slice(0, -1))
    const last = segs[segs.length - 1]
    const missing = { ok: false, message: `doc is missing path: "${op['path']}": missing value` } as const
    const put = (value: Json, insert: boolean): boolean => {
      if (last === undefined) {
        out = value
        return true
      }
      if (Array.isArray(parent)) {
        const i = last === '-' ? parent.length : Number(last)
        if (!Number.isInteger(i) || i < 0 || i > parent.length - (insert ? 0 : 1)) return false
        if (insert) parent.splice(i, 0, value)
        else parent[i] = value
        return true
      }
      if (!isMap(parent)) return false
      if (!insert && !(last in parent)) return false
      parent[last] = value
      return true
    }
    const remove = (): boolean => {
      if (last === undefined) return false
      if (Array.isArray(parent)) {
        const i = Number(last)
        if (!Number.isInteger(i) || i < 0 || i >= parent.length) return false
        parent.splice(i, 1)
        return true
      }
      if (!isMap(parent) || !(last in parent)) return false
      delete parent[last]
      return true
    }
    const value = op['value'] ?? null
    switch (op['op']) {
      case 'add':
        if (!put(value, true)) return missing
        break
      case 'replace':
        if (!put(value, false))
          return {
            ok: false,
            message: `replace operation does not apply: doc is missing key: ${op['path']}: missing value`
          }
        break
      case 'remove':
        if (!remove())
          return {
            ok: false,
            message: `remove operation does not apply: doc is missing path: "${op['path']}": missing value`
          }
        break
      case 'test':
        if (JSON.stringify(getAt(out, segs)) !== JSON.stringify(value))
          return { ok: false, message: `testing value ${op['path']} failed: test failed` }
        break
      case 'move':
      case 'copy': {
        const from = typeof op['from'] === 'string' ? pointer(op['from']) : undefined
        const moved = from ? getAt(out, from) : undefined
        if (moved === undefined) return missing
        if (op['op'] === 'move') {
          const r = jsonPatch(out, [{ op: 'remove', path: op['from'] }])
          if (!r.ok) return r
          out = r.doc
        }
        const r = jsonPatch(out, [{ op: 'add', path: op['path'], value: moved }])
        if (!r.ok) return r
        out = r.doc
        break
      }
      default:
        return { ok: false, message: `Unexpected kind: ${op['op']}` }
    }
  }
  return { ok: true, doc: out }
}
