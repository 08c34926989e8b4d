import { mount } from 'svelte'
import App from './App.svelte'
import './styles.css'
import { loadXterm, opensOnALab } from './lib/terminal/load-xterm.ts'

if (opensOnALab(location.hash)) void loadXterm()

const target = document.getElementById('app')
if (!target) throw new Error('index.html lacks #app')
mount(App, { target })
