/** MAC addresses are kept as lowercase `aa:bb:cc:dd:ee:ff`, the form iproute2 prints. */
export type Mac = string

export const MAC_BROADCAST: Mac = 'ff:ff:ff:ff:ff:ff'

export function parseMac(text: string): Mac | undefined {
  const lower = text.toLowerCase()
  return /^[0-9a-f]{2}(:[0-9a-f]{2}){5}$/.test(lower) ? lower : undefined
}

const HEX_BYTES = Array.from({ length: 256 }, (_, b) => b.toString(16).padStart(2, '0'))

/** A locally administered unicast MAC from six bytes, as the kernel's eth_random_addr makes. */
export function macFromBytes(bytes: readonly number[]): Mac {
  // A lab build makes thousands: looked up per byte rather than printed.
  const parts = [HEX_BYTES[(((bytes[0] ?? 0) & 0xfe) | 0x02) & 255]!]
  const end = Math.min(bytes.length, 6)
  for (let i = 1; i < end; i++) parts.push(HEX_BYTES[bytes[i]! & 255]!)
  return parts.join(':')
}
