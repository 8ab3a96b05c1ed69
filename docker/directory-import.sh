#!/bin/sh
# The nightly directory import (compose service `directory-import`; docs/operations.md, "The customer
# directory, nightly"). Every night at DIRECTORY_IMPORT_AT (company time, TZ), the ERP's full export
# dropped as $DROP/customers.csv is imported as the whole directory, then moved to $DROP/done/ with the
# date, so a file is imported once. No file that night: nothing happens (an absent export never
# suspends anyone). The import's report goes to the service's log; a non-zero status means rejected rows
# or a file refused as a whole (nothing changed then).
set -u
DROP=${DROP:-/drop}
AT=${DIRECTORY_IMPORT_AT:-02:30}
mkdir -p "$DROP/done"
while :; do
  next=$(date -d "today $AT" +%s)
  [ "$next" -gt "$(date +%s)" ] || next=$(date -d "tomorrow $AT" +%s)
  sleep $((next - $(date +%s)))
  if [ -f "$DROP/customers.csv" ]; then
    stamp=$(date +%Y%m%d-%H%M)
    flask --app bridge customers import --full "$DROP/customers.csv"
    status=$?
    mv "$DROP/customers.csv" "$DROP/done/customers-$stamp.csv"
    echo "directory import of $stamp: exit status $status, the file is now done/customers-$stamp.csv"
  else
    echo "directory import: no $DROP/customers.csv tonight, nothing changed"
  fi
done
