import { createApp } from 'vue'
import App from './App.vue'
import router from './router.js'
import element from './element.js'
import './styles.css'

const app = createApp(App)
app.use(element)
app.use(router)
app.mount('#app')
