import jsQR from 'jsqr'
import { describe, expect, test } from 'vitest'
import { qrPath } from '../../src-renderer/src/lib/classroom/qr.ts'

/** Paints the SVG path the join panel draws (one `M x y h1v1h-1z` square per dark module) as a phone camera would see it. */
function rasterise(text: string, pixelsPerModule = 4, quiet = 4): { data: Uint8ClampedArray; width: number } {
  const { size, path } = qrPath(text)
  const width = (size + 2 * quiet) * pixelsPerModule
  const data = new Uint8ClampedArray(width * width * 4).fill(255)
  for (const [, x, y] of path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)) {
    for (let dy = 0; dy < pixelsPerModule; dy++) {
      for (let dx = 0; dx < pixelsPerModule; dx++) {
        const px = (Number(x) + quiet) * pixelsPerModule + dx
        const py = (Number(y) + quiet) * pixelsPerModule + dy
        data.fill(0, (py * width + px) * 4, (py * width + px) * 4 + 3)
      }
    }
  }
  return { data, width }
}

describe('the join QR code', () => {
  test.each(['http://192.168.1.20:4317/#/join?code=K7M2QX', 'http://[fe80::1]:4317/#/join?code=23456Z'])(
    'a QR reader gets back exactly %s',
    (url) => {
      const { data, width } = rasterise(url)
      expect(jsQR(data, width, width)?.data).toBe(url)
    }
  )

  test('the path draws only whole modules inside the symbol', () => {
    const { size, path } = qrPath('http://10.0.0.5:8080/#/join?code=ABCDEF')
    const squares = [...path.matchAll(/M(\d+) (\d+)h1v1h-1z/g)]
    expect(squares.map((s) => s[0]).join('')).toBe(path)
    expect(squares.every(([, x, y]) => Number(x) < size && Number(y) < size)).toBe(true)
  })
})
