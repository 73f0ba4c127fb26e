#!/usr/bin/env node
import '../dist/sm.js'
