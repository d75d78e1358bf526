// The login form: shown when any API call answers 401 or the websocket
// closes with 4001. Posts {"username","password"} to /api/auth/login and,
// on success, lets the app reconnect and reload the view.

import { api, ApiError, setMe, type Me } from '../api'
import { h, setText } from '../dom'
import { t } from '../i18n'

export function loginDialog(onDone: () => void) {
  const user = h('input', { class: 'input', testid: 'login-username', attrs: { name: 'username', autocomplete: 'username', required: true } })
  const pass = h('input', { class: 'input', testid: 'login-password', attrs: { name: 'password', type: 'password', autocomplete: 'current-password', required: true } })
  const err = h('p', { class: 'error', testid: 'login-error', attrs: { role: 'alert' } })
  const submit = h('button', { class: 'btn btn-primary', testid: 'login-submit', text: t('login.submit'), attrs: { type: 'submit' } })
  const form = h('form', { class: 'card login', testid: 'login-form', on: { submit: (e) => void send(e) } },
    h('h2', { text: t('login.title') }),
    h('label', {}, h('span', { text: t('login.username') }), user),
    h('label', {}, h('span', { text: t('login.password') }), pass),
    err, submit)
  const el = h('div', { class: 'overlay', attrs: { role: 'dialog', 'aria-modal': 'true', 'aria-label': t('login.title') } }, form)

  async function send(e: Event): Promise<void> {
    e.preventDefault()
    submit.disabled = true
    setText(err, '')
    try {
      setMe(await api.post<Me>('/api/auth/login', { json: { username: user.value, password: pass.value } }))
      el.remove()
      onDone()
    } catch (x) {
      setText(err, t('login.failed', { message: (x as ApiError).message }))
    } finally {
      submit.disabled = false
    }
  }

  return { el, focus: () => user.focus() }
}
