import { describe, expect, it } from 'vitest'
import { FrameScheduler, type Part } from './frame'

function fakeFrames() {
  const q: (() => void)[] = []
  return { q, frame: (cb: () => void) => q.push(cb), run: () => q.splice(0).forEach((f) => f()) }
}

describe('FrameScheduler', () => {
  it('renders once per frame with the union of changes', () => {
    const f = fakeFrames()
    const renders: Part[][] = []
    const s = new FrameScheduler((p) => renders.push([...p].sort()), f.frame)
    for (let i = 0; i < 100; i++) s.mark('metrics')
    s.mark('comments', 'cues')
    expect(f.q.length).toBe(1)
    expect(renders.length).toBe(0)
    f.run()
    expect(renders).toEqual([['comments', 'cues', 'metrics']])
    s.mark('tier')
    f.run()
    expect(renders[1]).toEqual(['tier'])
    expect(s.frames).toBe(2)
  })

  it('does not schedule without changes', () => {
    const f = fakeFrames()
    const s = new FrameScheduler(() => {}, f.frame)
    s.mark()
    expect(f.q.length).toBe(0)
  })

  it('lets a render mark parts for the next frame', () => {
    const f = fakeFrames()
    let n = 0
    const s = new FrameScheduler(() => {
      if (++n === 1) s.mark('tick')
    }, f.frame)
    s.mark('conn')
    f.run()
    expect(f.q.length).toBe(1)
    f.run()
    expect(n).toBe(2)
  })
})
