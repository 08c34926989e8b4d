/** MAC addresses are kept as lowercase `aa:bb:cc:dd:ee:ff`, the form iproute2 prints. */
export type Mac = string

export const MAC_BROADCAST: Mac = 'ff:ff:ff:ff:ff:ff'

export function parseMac(text: string): Mac | undefined {
  const lower = text.toLowerCase()
  return /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(lower) ? lower : undefined
}

/** A locally administered unicast MAC from six bytes, as the kernel's eth_random_addr makes. */
export function macFromBytes(bytes: readonly number[]): Mac {
  const fixed = [((bytes[0] ?? 0) & 0xfe) | 0x02, ...bytes.slice(1, 6)]
  return fixed.map((b) => (b & 255).toString(16).padStart(2, '0')).join(':')
}
