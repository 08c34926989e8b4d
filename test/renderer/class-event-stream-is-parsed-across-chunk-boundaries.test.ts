import { describe, expect, test } from 'vitest'
import { EventStreamParser } from '../../src-renderer/src/lib/classroom/sse.ts'

describe('the dashboard event-stream parser', () => {
  test('splits events on blank lines and keeps the event type', () => {
    const parser = new EventStreamParser()
    const events = parser.push('event: snapshot\ndata: {"a":1}\n\nevent: attempt\ndata: {"b":2}\n\n')
    expect(events).toEqual([
      { type: 'snapshot', data: '{"a":1}' },
      { type: 'attempt', data: '{"b":2}' }
    ])
  })

  test('an event cut anywhere between network chunks comes out once, whole', () => {
    const stream = 'event: step-changed\r\ndata: {"stepId":"s2"}\r\n\r\n'
    for (let cut = 1; cut < stream.length; cut++) {
      const parser = new EventStreamParser()
      const events = [...parser.push(stream.slice(0, cut)), ...parser.push(stream.slice(cut))]
      expect(events, `cut at ${cut}`).toEqual([{ type: 'step-changed', data: '{"stepId":"s2"}' }])
    }
  })

  test('keep-alive comments produce nothing; multi-line data is joined with newlines', () => {
    const parser = new EventStreamParser()
    expect(parser.push(': keep-alive\n\n')).toEqual([])
    expect(parser.push('data: one\ndata: two\n\n')).toEqual([{ type: 'message', data: 'one\ntwo' }])
  })

  test('nothing is emitted before the blank line that ends the event', () => {
    const parser = new EventStreamParser()
    expect(parser.push('event: attempt\ndata: {}\n')).toEqual([])
    expect(parser.push('\n')).toEqual([{ type: 'attempt', data: '{}' }])
  })
})
