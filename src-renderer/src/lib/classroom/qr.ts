import QRCode from 'qrcode'

/**
 * The QR code for a join URL as one SVG path (a unit square per dark module), built here from the
 * library's module matrix rather than inserted as an SVG string: nothing from outside ever
 * becomes markup, and it works offline.
 */
export function qrPath(text: string): { size: number; path: string } {
  const { modules } = QRCode.create(text, { errorCorrectionLevel: 'M' })
  const parts: string[] = []
  for (let row = 0; row < modules.size; row++) {
    for (let col = 0; col < modules.size; col++) {
      if (modules.get(row, col)) parts.push(`M${col} ${row}h1v1h-1z`)
    }
  }
  return { size: modules.size, path: parts.join('') }
}
