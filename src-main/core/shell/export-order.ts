/**
 * The order a shell hands its exported variables to a command, which `env` prints: each shell
 * walks its variable hash table bucket by bucket. bash 5.2 hashes names with FNV-1 into 1024
 * buckets and puts a new variable at the head of its bucket; BusyBox ash sums the name's bytes
 * (the first one again, times 16) into 39 buckets and appends to the bucket.
 * `names` is the order the shell created the variables in.
 */
export function exportOrder(names: readonly string[], shell: 'bash' | 'busybox'): string[] {
  const bucketOf = shell === 'bash' ? (n: string) => fnv1(n) & 1023 : ashBucket
  const created = shell === 'bash' ? [...names].reverse() : [...names]
  return created
    .map((name, at) => ({ name, at, bucket: bucketOf(name) }))
    .sort((a, b) => a.bucket - b.bucket || a.at - b.at)
    .map((v) => v.name)
}

export function fnv1(text: string): number {
  let hash = 2166136261
  for (let i = 0; i < text.length; i++) hash = (Math.imul(hash, 16777619) ^ text.charCodeAt(i)) >>> 0
  return hash
}

function ashBucket(name: string): number {
  let sum = name.charCodeAt(0) << 4
  for (let i = 0; i < name.length; i++) sum += name.charCodeAt(i)
  return sum % 39
}
