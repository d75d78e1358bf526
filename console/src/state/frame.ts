// Render coalescing: however many messages arrive between two screen
// refreshes, the views render once per animation frame, with the union of
// what changed. When the tab is hidden the browser pauses frames, and the
// state (bounded) simply keeps the newest values until it is shown again.

export type Part =
  | 'metrics'
  | 'comments'
  | 'cues'
  | 'tier'
  | 'alerts'
  | 'gifts'
  | 'conn'
  | 'tick'
  | 'rooms'

export type FrameFn = (cb: () => void) => unknown

export class FrameScheduler {
  private dirty = new Set<Part>()
  private pending = false
  /** Frames rendered; exposed for tests and the debug overlay. */
  frames = 0

  constructor(
    private render: (parts: ReadonlySet<Part>) => void,
    private frame: FrameFn = (cb) => requestAnimationFrame(() => cb()),
  ) {}

  mark(...parts: Part[]): void {
    for (const p of parts) this.dirty.add(p)
    if (this.pending || this.dirty.size === 0) return
    this.pending = true
    this.frame(() => this.flush())
  }

  /** Renders now whatever is pending (the frame callback, or tests). */
  flush(): void {
    this.pending = false
    if (this.dirty.size === 0) return
    const parts = this.dirty
    this.dirty = new Set()
    this.frames++
    this.render(parts)
  }
}
