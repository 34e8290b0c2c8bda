import { mount } from '@vue/test-utils'
import { describe, expect, it } from 'vitest'
import SignInForm from '../../src/components/SignInForm.vue'

function labelled(wrapper: ReturnType<typeof mount>, text: string) {
  const label = wrapper.findAll('label').find((l) => l.text() === text)
  expect(label, `a visible label "${text}"`).toBeDefined()
  const id = label?.attributes('for')
  expect(id).toBeTruthy()
  return wrapper.get(`#${id}`)
}

describe('SignInForm', () => {
  it('has visible "Username" and "Password" labels tied to their inputs and a "Sign in" button', () => {
    const wrapper = mount(SignInForm, { props: { submit: async () => {} } })
    expect(labelled(wrapper, 'Username').attributes('autocomplete')).toBe('username')
    expect(labelled(wrapper, 'Password').attributes('type')).toBe('password')
    const button = wrapper.get('button[type="submit"]')
    expect(button.text()).toBe('Sign in')
  })

  it('submits what was typed', async () => {
    const calls: [string, string][] = []
    const wrapper = mount(SignInForm, {
      props: {
        submit: async (u: string, p: string) => {
          calls.push([u, p])
        },
      },
    })
    await labelled(wrapper, 'Username').setValue('admin')
    await labelled(wrapper, 'Password').setValue('s3cret')
    await wrapper.get('form').trigger('submit')
    expect(calls).toEqual([['admin', 's3cret']])
  })

  it('shows the hub message as an alert on failure and clears the password', async () => {
    const wrapper = mount(SignInForm, {
      props: {
        submit: async () => {
          throw new Error('wrong username or password')
        },
      },
    })
    await labelled(wrapper, 'Username').setValue('admin')
    const password = labelled(wrapper, 'Password')
    await password.setValue('nope')
    await wrapper.get('form').trigger('submit')
    await new Promise((r) => setTimeout(r, 0))
    expect(wrapper.get('[role="alert"]').text()).toBe('wrong username or password')
    expect((password.element as HTMLInputElement).value).toBe('')
  })

  it('asks for both fields instead of submitting empty ones', async () => {
    let called = false
    const wrapper = mount(SignInForm, {
      props: {
        submit: async () => {
          called = true
        },
      },
    })
    await wrapper.get('form').trigger('submit')
    expect(called).toBe(false)
    expect(wrapper.get('[role="alert"]').text()).toContain('username and password')
  })
})
