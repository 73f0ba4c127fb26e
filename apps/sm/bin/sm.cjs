#!/usr/bin/env node
require('../dist/sm.cjs')
