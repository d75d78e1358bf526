import { startApp } from './app'
import { initLang } from './i18n'
import './styles/main.css'

let store: Storage | null = null
try {
  store = window.localStorage
} catch {
  store = null
}
initLang(store, navigator)
startApp(document.getElementById('app') as HTMLElement)
