import { onBeforeUnmount, onMounted, type Ref, ref } from 'vue'

/** A `Date.now()` that re-renders its users every `everyMs`, for ages such as "stale since". */
export function useNow(everyMs = 5_000): Ref<number> {
  const now = ref(Date.now())
  let timer: ReturnType<typeof setInterval> | undefined
  onMounted(() => {
    timer = setInterval(() => {
      now.value = Date.now()
    }, everyMs)
  })
  onBeforeUnmount(() => clearInterval(timer))
  return now
}
