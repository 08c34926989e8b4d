/**
 * A pcapng file (draft-ietf-opsawg-pcapng), little-endian: one Section Header Block, one
 * Interface Description Block per capture point and one Enhanced Packet Block per frame, which
 * is how Wireshark writes a capture of several interfaces at once.
 */

/** An interface of the file; its index in the list is the id its packets refer to. */
export interface PcapngInterface {
  /** `if_name`: Wireshark shows it as `frame.interface_name`. */
  readonly name: string
  /** `if_description`. */
  readonly description: string
}

export interface PcapngPacket {
  readonly interfaceId: number
  /** Microseconds since the Unix epoch: each interface says `if_tsresol` 6. */
  readonly atUs: number
  readonly direction: 'in' | 'out'
  readonly bytes: readonly number[]
}

const BLOCK = { section: 0x0a0d0d0a, interface: 1, enhancedPacket: 6 } as const
const LINKTYPE_ETHERNET = 1
const SNAPLEN = 262144

class LittleEndian {
  readonly bytes: number[] = []
  u8(v: number): this {
    this.bytes.push(v & 0xff)
    return this
  }
  u16(v: number): this {
    return this.u8(v).u8(v >>> 8)
  }
  u32(v: number): this {
    return this.u16(v & 0xffff).u16(v >>> 16)
  }
  put(b: readonly number[]): this {
    for (const x of b) this.u8(x)
    return this
  }
  pad(): this {
    while (this.bytes.length % 4 !== 0) this.u8(0)
    return this
  }
  /** An option: code, length, value padded to 32 bits. */
  option(code: number, value: readonly number[]): this {
    return this.u16(code).u16(value.length).put(value).pad()
  }
  endOfOptions(): this {
    return this.u16(0).u16(0)
  }
}

function block(type: number, body: LittleEndian): number[] {
  const total = 12 + body.bytes.length
  return new LittleEndian().u32(type).u32(total).put(body.bytes).u32(total).bytes
}

const utf8 = (text: string): number[] => [...new TextEncoder().encode(text)]

function sectionHeader(): number[] {
  const body = new LittleEndian().u32(0x1a2b3c4d).u16(1).u16(0)
  // Section length -1: not given, readers walk the blocks.
  body.u32(0xffffffff).u32(0xffffffff)
  body.option(4, utf8('Podnet Lab')).endOfOptions()
  return block(BLOCK.section, body)
}

function interfaceDescription(i: PcapngInterface): number[] {
  const body = new LittleEndian().u16(LINKTYPE_ETHERNET).u16(0).u32(SNAPLEN)
  body.option(2, utf8(i.name)).option(3, utf8(i.description)).option(9, [6]).endOfOptions()
  return block(BLOCK.interface, body)
}

/** `epb_flags` direction bits: 01 inbound, 10 outbound. */
const DIRECTION_FLAG = { in: 1, out: 2 } as const

function enhancedPacket(p: PcapngPacket): number[] {
  const high = Math.floor(p.atUs / 2 ** 32)
  const low = p.atUs - high * 2 ** 32
  const body = new LittleEndian()
    .u32(p.interfaceId)
    .u32(high)
    .u32(low)
    .u32(p.bytes.length)
    .u32(p.bytes.length)
    .put(p.bytes)
    .pad()
  body.option(2, new LittleEndian().u32(DIRECTION_FLAG[p.direction]).bytes).endOfOptions()
  return block(BLOCK.enhancedPacket, body)
}

export function pcapngFile(
  interfaces: readonly PcapngInterface[],
  packets: readonly PcapngPacket[]
): Uint8Array {
  const out = [...sectionHeader()]
  for (const i of interfaces) out.push(...interfaceDescription(i))
  for (const p of packets) out.push(...enhancedPacket(p))
  return Uint8Array.from(out)
}
