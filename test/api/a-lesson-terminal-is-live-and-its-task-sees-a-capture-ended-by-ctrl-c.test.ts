import { expect, test } from 'vitest'
import { withWebHost } from './api-call.ts'
import { learnerAtStep, lineEnded, openTerminal, post, printed } from './live-terminal-client.ts'

interface InputAnswer {
  stdout: string
  stderr: string
  exitCode: number
  running?: true
  continues?: true
  session?: { current: string; step?: { kind: string; solved?: boolean } }
}

/**
 * A lesson's terminals over the web host are the sandbox's live terminals: a capture runs in
 * one while another makes traffic, and the task that asks for that capture passes when Ctrl+C
 * ends it, not when it started. A here-document gets bash's `> ` prompts until its delimiter.
 */
test('a lesson’s live capture passes its task once Ctrl+C ends it, and a here-document reads on to its delimiter', async () => {
  await withWebHost(
    async (host) => {
      const { learnerId, lab, page } = await learnerAtStep(host, 'from-outside', 'local-policy')
      const node2 = await openTerminal(page, 'node-2', { learnerId, lab, on: 'node-2' })
      const laptop = await openTerminal(page, 'laptop', { learnerId, lab, on: 'laptop' })
      const input = (terminalId: string, line: string): Promise<InputAnswer> =>
        post(host, 'lab:terminalInput', { learnerId, lab, terminalId, line })

      expect((await input(laptop, 'curl -sS --connect-timeout 2 http://192.168.56.11:30090/')).exitCode).toBe(
        28
      )
      const capture = await input(node2, 'tcpdump -ni cni0 tcp port 8080')
      expect(capture.running).toBe(true)
      const curl = await input(laptop, 'curl -s http://192.168.56.12:30090/')
      expect(curl.stdout).toBe('web-1\n')
      expect(printed(page, 'node-2')).toMatch(/IP 192\.168\.56\.100\.\d+ > 10\.244\.2\.2\.8080: Flags \[S\]/)
      // The capture still runs: the task waits for the command to end, as the line's output does.
      expect(curl.session?.step).toMatchObject({ kind: 'task', solved: false })

      const stopped = await post<{ session?: InputAnswer['session'] }>(host, 'lab:terminalInterrupt', {
        learnerId,
        lab,
        terminalId: node2
      })
      await lineEnded(page, 'node-2')
      expect(printed(page, 'node-2')).toMatch(/\n10 packets captured\n10 packets received by filter\n/)
      expect(stopped.session).toMatchObject({ current: 'local-policy', step: { kind: 'task', solved: true } })

      // bash reads a here-document line by line (`> `) and runs it once its delimiter came.
      for (const line of ['cat <<EOF > note.txt', 'first line', ''])
        expect(await input(laptop, line)).toMatchObject({ continues: true, stdout: '' })
      expect(await input(laptop, 'EOF')).toMatchObject({ exitCode: 0, stdout: '', stderr: '' })
      expect((await input(laptop, 'cat note.txt')).stdout).toBe('first line\n\n')
      // Ctrl+C at a `> ` prompt drops what was typed, as bash does.
      expect((await input(laptop, "echo 'open")).continues).toBe(true)
      await post(host, 'lab:terminalInterrupt', { learnerId, lab, terminalId: laptop })
      expect((await input(laptop, 'echo closed')).stdout).toBe('closed\n')
      await page.close()
    },
    (service) => ({ streams: service.streams })
  )
})
