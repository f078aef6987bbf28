import { mount } from 'svelte';
import App from './ui/App.svelte';
import './ui/global.css';
import './state/settings.svelte';

const target = document.getElementById('app');
if (target) mount(App, { target });
