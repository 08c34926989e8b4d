import { BrowserWindow, dialog, type OpenDialogOptions, type SaveDialogOptions } from 'electron'
import type { DialogWords, PackDialogs } from '../../classroom/classroom.ts'

const zipFilter = (words: DialogWords): { name: string; extensions: string[] }[] => [
  { name: words.fileType, extensions: ['zip'] }
]

/**
 * The lesson-pack dialogs of the class host's machine, attached to the window the instructor is
 * using (their dashboard window, a page of that host) so they open in front of it.
 */
export function packDialogs(): PackDialogs {
  return {
    open: async (words) => {
      const options: OpenDialogOptions = {
        title: words.title,
        filters: zipFilter(words),
        properties: ['openFile']
      }
      const parent = BrowserWindow.getFocusedWindow()
      const { canceled, filePaths } = parent
        ? await dialog.showOpenDialog(parent, options)
        : await dialog.showOpenDialog(options)
      return canceled ? null : (filePaths[0] ?? null)
    },
    save: async (words, fileName) => {
      const options: SaveDialogOptions = {
        title: words.title,
        defaultPath: fileName,
        filters: zipFilter(words)
      }
      const parent = BrowserWindow.getFocusedWindow()
      const { canceled, filePath } = parent
        ? await dialog.showSaveDialog(parent, options)
        : await dialog.showSaveDialog(options)
      return canceled || !filePath ? null : filePath
    }
  }
}
