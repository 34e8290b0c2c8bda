/**
 * Live telemetry of one device: the history the hub answers `device:subscribe` with, then each sample
 * as it arrives, bounded to the last `telemetryPoints`. Unsubscribes when the page goes away.
 */
import type { Telemetry } from '@vigil/protocol'
import { onBeforeUnmount, type Ref, ref, type ShallowRef, shallowRef, watch } from 'vue'
import { dashboardConfig } from '../config.js'
import type { LiveClient } from './live.js'

export interface DeviceTelemetry {
  samples: ShallowRef<readonly Telemetry[]>
  error: Ref<string>
  loaded: Ref<boolean>
}

export function useDeviceTelemetry(live: LiveClient, deviceId: Ref<string>): DeviceTelemetry {
  const samples = shallowRef<readonly Telemetry[]>([])
  const error = ref('')
  const loaded = ref(false)
  const limit = dashboardConfig.telemetryPoints
  let stop: (() => void) | null = null

  const start = (id: string): void => {
    stop?.()
    samples.value = []
    loaded.value = false
    error.value = ''
    stop = live.subscribeDevice(id, {
      onHistory(history) {
        samples.value = [...history].sort((a, b) => a.ts.localeCompare(b.ts)).slice(-limit)
        loaded.value = true
      },
      onSample(sample) {
        const last = samples.value[samples.value.length - 1]
        if (last && last.ts >= sample.ts) return
        samples.value = [...samples.value, sample].slice(-limit)
      },
      onError(message) {
        error.value = message
        loaded.value = true
      },
    })
  }
  watch(deviceId, start, { immediate: true })
  onBeforeUnmount(() => stop?.())
  return { samples, error, loaded }
}
