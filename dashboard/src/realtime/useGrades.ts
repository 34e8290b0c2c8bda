/**
 * Posture grade per device (GET /api/v1/posture/devices), fetched again when the live feed reports a
 * finding or drift (what changes a score) or the fleet grows or shrinks, at most once every two seconds.
 */
import type { PostureGrade } from '@vigil/protocol'
import { onBeforeUnmount, onMounted, type ShallowRef, shallowRef, watch } from 'vue'
import { postureApi } from '../api/posture.js'
import type { LiveClient } from './live.js'

export function useGrades(live: LiveClient): ShallowRef<ReadonlyMap<string, PostureGrade>> {
  const grades = shallowRef<ReadonlyMap<string, PostureGrade>>(new Map())
  const load = async (): Promise<void> => {
    try {
      const res = await postureApi.devices()
      grades.value = new Map(res.devices.map((p) => [p.deviceId, p.grade]))
    } catch {
      // Without posture the column shows "—": nothing pretends to know a grade.
    }
  }
  let timer: ReturnType<typeof setTimeout> | undefined
  const schedule = (): void => {
    if (timer) return
    timer = setTimeout(() => {
      timer = undefined
      void load()
    }, 2000)
  }
  watch(
    () => live.feed.items.value[0],
    (item) => {
      if (item && (item.kind === 'finding' || item.kind === 'drift')) schedule()
    },
  )
  // A device enrolled or removed: its grade appears or goes.
  watch(() => live.fleet.devices.value.size, schedule)
  onMounted(load)
  onBeforeUnmount(() => clearTimeout(timer))
  return grades
}
