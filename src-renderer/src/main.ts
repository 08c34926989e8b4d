import { mount } from 'svelte'
import App from './App.svelte'
import './styles.css'
import { preloadRoute } from './lib/lazy-views.ts'
import { parseHash } from './lib/router.svelte.ts'

preloadRoute(parseHash(location.hash))

const target = document.getElementById('app')
if (!target) throw new Error('index.html lacks #app')
mount(App, { target })
