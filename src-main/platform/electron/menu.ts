import { app, Menu, shell, type MenuItemConstructorOptions } from 'electron'

/** The platform's standard menu, so the usual shortcuts (copy, paste, zoom, quit, full screen) work. */
export function installMenu(): void {
  const isMac = process.platform === 'darwin'
  const template: MenuItemConstructorOptions[] = [
    ...(isMac ? [{ role: 'appMenu' as const }] : []),
    { role: 'fileMenu' },
    { role: 'editMenu' },
    { role: 'viewMenu' },
    { role: 'windowMenu' },
    {
      role: 'help',
      submenu: [
        {
          label: 'Kubernetes networking documentation',
          click: () => void shell.openExternal('https://kubernetes.io/docs/concepts/services-networking/')
        },
        { type: 'separator' },
        { label: `Podnet Lab ${app.getVersion()}`, enabled: false }
      ]
    }
  ]
  Menu.setApplicationMenu(Menu.buildFromTemplate(template))
}
