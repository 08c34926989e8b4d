/** What learners need to find the class: the URL (and its QR code) the host answered `class:start` with. */
export interface JoinInfo {
  joinUrl: string
  qrText: string
}

/** The projector's window: one per browser, reused by every later click, for the second screen. */
export const projectorWindow = 'podnet-projector'

const key = (classId: string): string => `podnet.class.${classId}`

export function rememberJoinInfo(classId: string, info: JoinInfo): void {
  sessionStorage.setItem(key(classId), JSON.stringify(info))
}

/**
 * The join URL for a class opened earlier. The host's own answer is kept for this tab; a class
 * started in another tab gets the URL this page was loaded from, which is the host's address.
 */
export function joinInfo(classId: string, joinCode: string): JoinInfo {
  try {
    const stored = JSON.parse(sessionStorage.getItem(key(classId)) ?? 'null') as Partial<JoinInfo> | null
    if (stored && typeof stored.joinUrl === 'string' && typeof stored.qrText === 'string')
      return { joinUrl: stored.joinUrl, qrText: stored.qrText }
  } catch {
    // A damaged entry: build the URL below.
  }
  const url = `${window.location.origin}/#/join?code=${encodeURIComponent(joinCode)}`
  return { joinUrl: url, qrText: url }
}

/** Saves a report the host produced as a file, through the browser's download. */
export function saveFile(file: { fileName: string; mimeType: string; content: string }): void {
  const url = URL.createObjectURL(new Blob([file.content], { type: file.mimeType }))
  const link = document.createElement('a')
  link.href = url
  link.download = file.fileName
  document.body.append(link)
  link.click()
  link.remove()
  setTimeout(() => URL.revokeObjectURL(url), 1000)
}
