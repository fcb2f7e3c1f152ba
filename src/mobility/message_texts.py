"""Every message the package words in English, with its German: the catalogue
:func:`mobility.messages.translate_message` reads.

Each entry is ``(English template, German template)``; the English is the f-string of the
raising code with its values named in braces (see :mod:`mobility.messages` for ``:num``,
``:msg`` and ``:term``). ``tests/test_messages.py`` scans the source for every message
and fails when one has no entry here, so a new message is added here with its German.
Column names (``home_lat``) and values from the file stay as they are.
"""

from __future__ import annotations

#: Fixed words that messages insert: table kinds, file types, roles, actions, scopes.
TERMS: dict[str, str] = {
    "apprentices": "Azubis",
    "companies": "Gastbetriebe",
    "placements": "Praktikumsplätze",
    "partnerships": "Partnerschaften",
    "a PDF document": "ein PDF-Dokument",
    "a PNG image": "ein PNG-Bild",
    "a JPEG image": "ein JPEG-Bild",
    "a GIF image": "ein GIF-Bild",
    "a gzip archive": "ein gzip-Archiv",
    "latitude": "Breitengrad",
    "country": "Land",
    "preferred country": "Wunschland",
    "destination": "Zielland",
    "a host company": "Ein Gastbetrieb",
    "a placement": "Ein Platz",
    "an apprentice": "Ein Azubi",
    "longitude": "Längengrad",
    "apprentice": "Azubi",
    "adviser": "Beratung",
    "municipality": "Kommune",
    "administrator": "Administration",
    "view apprentice records": "Azubi-Daten ansehen",
    "edit apprentice records": "Azubi-Daten bearbeiten",
    "view matches": "Vorschläge ansehen",
    "edit shortlists and notes": "Merklisten und Notizen bearbeiten",
    "save placements to an apprentice's own list": "Plätze auf die eigene Merkliste setzen",
    "export personal data": "personenbezogene Daten exportieren",
    "erase apprentice personal data": "personenbezogene Azubi-Daten löschen",
    "import data": "Daten importieren",
    "run allocations": "Zuteilungen berechnen",
    "view aggregates": "Summen ansehen",
    "view placements and host companies": "Plätze und Gastbetriebe ansehen",
    "edit reference data": "Referenzdaten bearbeiten",
    "manage users": "Konten verwalten",
    "view the audit log": "das Änderungsprotokoll ansehen",
    "keep partnerships": "Partnerschaften pflegen",
    "export partnerships": "Partnerschaften exportieren",
    "an import": "einem Import",
    "any record": "alle Datensätze",
    "their own profile": "das eigene Profil",
    "their own organisation": "die eigene Organisation",
    "their own city": "die eigene Stadt",
}

RELOAD = "bitte neu laden"

#: (English, German), grouped by the module that words the message.
MESSAGES: tuple[tuple[str, str], ...] = (
    # --- io: reading files -------------------------------------------------------------
    ("file {path} does not exist", "Datei {path} gibt es nicht"),
    ("file is {size:num} MB, more than the limit of {limit:num} MB; split it or use the "
     "command line (mobility import)",
     "Die Datei hat {size} MB, mehr als die erlaubten {limit} MB; bitte aufteilen oder "
     "über die Kommandozeile importieren (mobility import)"),
    ("file is empty", "Die Datei ist leer"),
    ("this is an old Excel (.xls) or other Office file: save it as .xlsx or CSV",
     "Das ist eine alte Excel-Datei (.xls) oder eine andere Office-Datei: bitte als .xlsx "
     "oder CSV speichern"),
    ("this is {what:term}, not a CSV or .xlsx spreadsheet",
     "Das ist {what}, keine CSV- oder .xlsx-Tabelle"),
    ("file mixes text encodings: line {a} is UTF-8, line {b} is not (Windows-1252?); open "
     "it in a spreadsheet and save it again as 'CSV UTF-8'",
     "Die Datei mischt Zeichenkodierungen: Zeile {a} ist UTF-8, Zeile {b} nicht "
     "(Windows-1252?); bitte in einer Tabellenkalkulation öffnen und erneut als "
     "'CSV UTF-8' speichern"),
    ("file is not a readable CSV or .xlsx spreadsheet (binary content or an unknown text "
     "encoding); save it as CSV UTF-8 or .xlsx",
     "Die Datei ist keine lesbare CSV- oder .xlsx-Tabelle (Binärdaten oder unbekannte "
     "Zeichenkodierung); bitte als CSV UTF-8 oder .xlsx speichern"),
    ("header has more than {max:num} columns ({found:num}+); no import has that many",
     "Die Kopfzeile hat mehr als {max} Spalten ({found}+); so viele hat kein Import"),
    ("header has more than {max:num} columns ({found:num}); no import has that many",
     "Die Kopfzeile hat mehr als {max} Spalten ({found}); so viele hat kein Import"),
    ("file has {lines:num} lines, more than the {max:num} rows one import may have; split it",
     "Die Datei hat {lines} Zeilen, mehr als die {max} Zeilen eines Imports; bitte "
     "aufteilen"),
    ("a line has more than {seps:num} separators: far more than the {max:num} columns any "
     "import has; nothing was read",
     "Eine Zeile hat mehr als {seps} Trennzeichen: weit mehr als die {max} Spalten eines "
     "Imports; nichts wurde gelesen"),
    ("row has {cells:num} cells but the header has {width:num}{hint:msg}",
     "Die Zeile hat {cells} Zellen, die Kopfzeile aber {width}{hint}"),
    (" (a decimal comma in a comma-separated file? quote the value or use ';')",
     " (ein Dezimalkomma in einer kommagetrennten Datei? Den Wert in Anführungszeichen "
     "setzen oder ';' verwenden)"),
    ("... and {n:num} more rows with the wrong number of cells",
     "... und {n} weitere Zeilen mit falscher Zellenzahl"),
    ("row has {cells:num} cells, more than the {max:num} columns any import has; nothing "
     "after it was read",
     "Die Zeile hat {cells} Zellen, mehr als die {max} Spalten eines Imports; nichts "
     "danach wurde gelesen"),
    ("file is not a valid CSV table: {detail} (a quote that is never closed?) near line "
     "{line}",
     "Die Datei ist keine gültige CSV-Tabelle: {detail} (ein nie geschlossenes "
     "Anführungszeichen?) bei Zeile {line}"),
    ("file is not a valid .xlsx workbook (damaged or not a spreadsheet); save it again as "
     ".xlsx or CSV",
     "Die Datei ist keine gültige .xlsx-Arbeitsmappe (beschädigt oder keine Tabelle); "
     "bitte erneut als .xlsx oder CSV speichern"),
    ("workbook unpacks to {big:num} MB from {small:num} MB, far more than a spreadsheet "
     "does (a zip bomb?); save it as CSV",
     "Die Arbeitsmappe entpackt sich von {small} MB auf {big} MB, weit mehr als eine "
     "Tabelle (eine Zip-Bombe?); bitte als CSV speichern"),
    ("workbook's first sheet is empty", "Das erste Blatt der Arbeitsmappe ist leer"),
    ("formula without a stored result (the workbook was written by a program that does "
     "not calculate): open it in Excel or LibreOffice and save it again, or type the value",
     "Formel ohne gespeichertes Ergebnis (das Programm, das die Mappe schrieb, rechnet "
     "nicht): in Excel oder LibreOffice öffnen und erneut speichern, oder den Wert "
     "eintippen"),
    ("unknown kind {kind}: use one of {known}",
     "unbekannte Art {kind}: eine von {known} verwenden"),
    # notes on how a file was read
    ("read as UTF-16 (Excel 'Unicode text')", "als UTF-16 gelesen (Excel 'Unicode-Text')"),
    ("not UTF-8: read as Windows-1252 (German Excel 'CSV')",
     "kein UTF-8: als Windows-1252 gelesen (deutsches Excel 'CSV')"),
    ("separator tab", "Trennzeichen Tabulator"),
    ("separator {sep}", "Trennzeichen {sep}"),
    ("sheet {name}", "Blatt {name}"),
    ("filled {column} for {n:num} rows from the trade",
     "{column} für {n} Zeilen aus dem Beruf ergänzt"),
    ("filled {lat}/{lon} for {n:num} rows from the gazetteer",
     "{lat}/{lon} für {n} Zeilen aus dem Ortsverzeichnis ergänzt"),
    ("filled {lat}/{lon} for {n:num} rows from the municipality register (name, postcode "
     "or AGS)",
     "{lat}/{lon} für {n} Zeilen aus dem Gemeindeverzeichnis ergänzt (Name, Postleitzahl "
     "oder AGS)"),
    # --- io: checking cells ------------------------------------------------------------
    ("... and {n:num} more rows with this problem (like: {first:msg})",
     "... und {n} weitere Zeilen mit diesem Problem (z. B.: {first})"),
    ("... and {n:num} more problems in this file", "... und {n} weitere Probleme in dieser Datei"),
    ("{codes} not ISO 3166 two-letter country codes (write e.g. 'GB;FR')",
     "{codes}: keine zweibuchstabigen Ländercodes nach ISO 3166 (z. B. 'GB;FR' schreiben)"),
    ("unknown trade {text}; did you mean {hints}?",
     "unbekannter Beruf {text}; meinten Sie {hints}?"),
    ("unknown trade {text}; see data/trades.csv for the known trades",
     "unbekannter Beruf {text}; die bekannten Berufe stehen in data/trades.csv"),
    ("unknown trade {text}", "unbekannter Beruf {text}"),
    ("text of {n:num} characters is longer than the {max:num} allowed in one cell",
     "Text mit {n} Zeichen ist länger als die {max} erlaubten Zeichen einer Zelle"),
    ("text contains control characters, line separators or direction overrides (invisible "
     "characters that change how text is shown); retype the cell",
     "Der Text enthält Steuerzeichen, Zeilentrenner oder Richtungswechsel (unsichtbare "
     "Zeichen, die die Anzeige verändern); bitte die Zelle neu eintippen"),
    ("id contains invisible or look-alike characters (zero-width or special spaces, "
     "fullwidth letters, combining accents); retype it in plain characters",
     "Die Kennung enthält unsichtbare oder verwechselbare Zeichen (Leerzeichen ohne Breite "
     "oder Sonderleerzeichen, breite Buchstaben, kombinierende Akzente); bitte in "
     "einfachen Zeichen neu eintippen"),
    ("{name:field} is required but blank", "{name} ist Pflicht, aber leer"),
    ("not an e-mail address (write name@domain.org)",
     "keine E-Mail-Adresse (name@domain.org schreiben)"),
    ("{v} is not an Erasmus+ organisation ID (E + 8 digits, e.g. E10012345)",
     "{v} ist keine Erasmus+-Organisations-ID (E + 8 Ziffern, z. B. E10012345)"),
    ("ISCO-08 code {v} must be four digits", "ISCO-08-Code {v} muss vier Ziffern haben"),
    ("{v} is not an ISO 3166 two-letter country code (e.g. DE, FR, GB)",
     "{v} ist kein zweibuchstabiger Ländercode nach ISO 3166 (z. B. DE, FR, GB)"),
    ("{v} is not a number", "{v} ist keine Zahl"),
    ("{v} is not a whole number", "{v} ist keine ganze Zahl"),
    ("{label:term} {v} must be between {low} and {high}",
     "{label} {v} muss zwischen {low} und {high} liegen"),
    ("{label:term} {v} must be at least {low}", "{label} {v} muss mindestens {low} sein"),
    ("{label:term} {v} must be at most {high}", "{label} {v} darf höchstens {high} sein"),
    ("{label:term} {v} must be greater than 0", "{label} {v} muss größer als 0 sein"),
    ("{v} is not a date (write YYYY-MM-DD or DD.MM.YYYY)",
     "{v} ist kein Datum (TT.MM.JJJJ oder JJJJ-MM-TT schreiben)"),
    ("{v} is not a yes/no value (write true or false; ja/nein, yes/no, 1/0, x/empty also "
     "work)",
     "{v} ist kein Ja/Nein-Wert (ja oder nein schreiben; true/false, yes/no, 1/0, x/leer "
     "gehen auch)"),
    ("column {h} appears {n} times", "Spalte {h} kommt {n}-mal vor"),
    ("column {n} has no header but holds values",
     "Spalte {n} hat keine Überschrift, enthält aber Werte"),
    ("unknown column {h} for {kind:term}; did you mean {close}? (known: {known})",
     "unbekannte Spalte {h} für {kind}; meinten Sie {close}? (bekannt: {known})"),
    ("unknown column {h} for {kind:term} (known: {known})",
     "unbekannte Spalte {h} für {kind} (bekannt: {known})"),
    ("required column {name:field} is missing ({meaning})", "Pflichtspalte {name} fehlt"),
    ("file has a header but no data rows", "Die Datei hat eine Kopfzeile, aber keine Datenzeilen"),
    ("max_weeks {v} is below min_weeks", "max_weeks {v} ist kleiner als min_weeks"),
    ("company {v} is unknown: import it in companies first",
     "Betrieb {v} ist unbekannt: bitte zuerst bei den Gastbetrieben importieren"),
    ("give both latitude and longitude, or leave both blank",
     "Breiten- und Längengrad beide angeben oder beide leer lassen"),
    ("{v} names several German municipalities; write the postcode before the name or give "
     "{lat}/{lon}",
     "{v} bezeichnet mehrere deutsche Gemeinden; bitte die Postleitzahl vor den Namen "
     "schreiben oder {lat}/{lon} angeben"),
    ("{v} is not in the offline gazetteer for this country; check the spelling or give "
     "{lat}/{lon}",
     "{v} steht nicht im Offline-Ortsverzeichnis für dieses Land; bitte die Schreibweise "
     "prüfen oder {lat}/{lon} angeben"),
    ("{end} {v} is before {start}", "{end} {v} liegt vor {start}"),
    ("{start} {a} to {b} is {days:num} days, too short for {weeks:num} weeks ({column})",
     "{start} {a} bis {b} sind {days} Tage, zu kurz für {weeks} Wochen ({column})"),
    ("{a} to {b} is {days:num} days, too short for {weeks:num} weeks",
     "{a} bis {b} sind {days} Tage, zu kurz für {weeks} Wochen"),
    ("... and {n:num} more rows with duplicate ids",
     "... und {n} weitere Zeilen mit doppelter Kennung"),
    ("duplicate {key} {value} (rows {rows} and {n} more)",
     "doppelt: {key} {value} (Zeilen {rows} und {n} weitere)"),
    ("duplicate {key} {value} (rows {rows})", "doppelt: {key} {value} (Zeilen {rows})"),
    # --- io: the import as a whole, writing ---------------------------------------------
    ("{name}: {n:num} problems, nothing imported", "{name}: {n} Probleme, nichts importiert"),
    ("{name}: {n:num} problem, nothing imported", "{name}: {n} Problem, nichts importiert"),
    ("the other {n:num} rows were not checked yet: fix these rows first",
     "Die übrigen {n} Zeilen sind noch nicht geprüft: bitte zuerst diese Zeilen berichtigen"),
    ("export format {fmt} is not one of {known}",
     "Exportformat {fmt} ist keines von {known}"),
    ("cannot export {kind:term}: columns {columns} are missing",
     "{kind} können nicht exportiert werden: die Spalten {columns} fehlen"),
    ("cannot write {name}: use a .csv or .xlsx file name",
     "{name} kann nicht geschrieben werden: bitte einen Dateinamen auf .csv oder .xlsx "
     "wählen"),
    # --- models: records checked one by one --------------------------------------------
    ("{what:term} {code} is not an ISO 3166 two-letter country code",
     "{what} {code} ist kein zweibuchstabiger Ländercode nach ISO 3166"),
    ("language {code} is not an ISO 639-1 two-letter code",
     "Sprache {code} ist kein zweibuchstabiger Code nach ISO 639-1"),
    ("coordinates {lat}, {lon} are not numbers", "Koordinaten {lat}, {lon} sind keine Zahlen"),
    ("latitude {v} is outside -90..90", "Breitengrad {v} liegt außerhalb von -90..90"),
    ("longitude {v} is outside -180..180", "Längengrad {v} liegt außerhalb von -180..180"),
    ("language level {text} does not exist (use A1, A2, B1, B2, C1, C2 or native)",
     "Sprachniveau {text} gibt es nicht (A1, A2, B1, B2, C1, C2 oder native verwenden)"),
    ("language entry {text} should look like 'en:B2' (ISO 639-1 code, level)",
     "Spracheintrag {text} sollte wie 'en:B2' aussehen (Code nach ISO 639-1, Niveau)"),
    ("a city needs a name", "Eine Stadt braucht einen Namen"),
    ("partnership status {text} is not one of active, dormant, suspended, ended",
     "Partnerschaftsstatus {text} ist keiner von active, dormant, suspended, ended"),
    ("partnership year {year} is not plausible", "Partnerschaftsjahr {year} ist nicht plausibel"),
    ("{what:term} needs an id", "{what} braucht eine Kennung"),
    ("placement {id} ends ({end}) before it starts ({start})",
     "Platz {id}: das Ende ({end}) liegt vor dem Beginn ({start})"),
    ("apprentice {id} ends ({end}) before it starts ({start})",
     "Azubi {id}: das Ende ({end}) liegt vor dem Beginn ({start})"),
    ("{what} ends ({end}) before it starts ({start})",
     "{what} endet ({end}) vor dem Beginn ({start})"),
    ("host company {id} needs a name", "Gastbetrieb {id} braucht einen Namen"),
    ("placement {id}: slots cannot be negative",
     "Platz {id}: die Zahl der Plätze darf nicht negativ sein"),
    ("placement {id}: need 1 <= min_weeks <= max_weeks <= 104",
     "Platz {id}: nötig ist 1 <= min_weeks <= max_weeks <= 104"),
    ("apprentice {id}: training year must be 1-4",
     "Azubi {id}: das Ausbildungsjahr muss 1-4 sein"),
    ("apprentice {id}: desired weeks must be 1-104",
     "Azubi {id}: die gewünschten Wochen müssen 1-104 sein"),
    ("apprentice {id}: max distance must be > 0",
     "Azubi {id}: die größte Entfernung muss > 0 sein"),
    # --- geo ---------------------------------------------------------------------------
    ("no city called {name} in {country} in the offline gazetteer (GeoNames, places of at "
     "least {n:num} people); check the spelling or give coordinates",
     "keine Stadt namens {name} in {country} im Offline-Ortsverzeichnis (GeoNames, Orte ab "
     "{n} Einwohnern); bitte die Schreibweise prüfen oder Koordinaten angeben"),
    ("no city called {name} in the offline gazetteer (GeoNames, places of at least {n:num} "
     "people); check the spelling or give coordinates",
     "keine Stadt namens {name} im Offline-Ortsverzeichnis (GeoNames, Orte ab {n} "
     "Einwohnern); bitte die Schreibweise prüfen oder Koordinaten angeben"),
    ("the online geocoder knows no place called {name}",
     "Der Online-Geocoder kennt keinen Ort namens {name}"),
    ("the online geocoder could not be reached for {name} ({error}); working offline: enter "
     "coordinates by hand",
     "Der Online-Geocoder war für {name} nicht erreichbar ({error}); offline weiter: "
     "Koordinaten bitte von Hand eingeben"),
    ("the online geocoder could not be reached for {name}: no network",
     "Der Online-Geocoder war für {name} nicht erreichbar: kein Netz"),
    # --- storage -----------------------------------------------------------------------
    ("column {name} is missing", "Spalte {name} fehlt"),
    ("column {name} has dtype {dtype}, expected {expected}",
     "Spalte {name} hat den Typ {dtype}, erwartet ist {expected}"),
    ("{kind:term} table is not in the import format (validate it with "
     "mobility.io.read_table first)",
     "Tabelle {kind} ist nicht im Importformat (zuerst mit mobility.io.read_table prüfen)"),
    ("database {dialect} is not supported (SQLite, PostgreSQL)",
     "Datenbank {dialect} wird nicht unterstützt (SQLite, PostgreSQL)"),
    ("{kind:term}: the database refused the import (a placement names a company_id that is "
     "not in the database: import companies first); nothing was written ({detail})",
     "{kind}: die Datenbank hat den Import abgelehnt (ein Platz nennt eine company_id, die "
     "nicht in der Datenbank steht: zuerst die Gastbetriebe importieren); nichts wurde "
     "geschrieben ({detail})"),
    ("{kind:term}: the database refused the import; nothing was written ({detail})",
     "{kind}: die Datenbank hat den Import abgelehnt; nichts wurde geschrieben ({detail})"),
    ("database URL {url} is not valid: {detail}", "Datenbank-URL {url} ist ungültig: {detail}"),
    ("no database driver for {driver} ({detail}); for PostgreSQL install the extra: pip "
     "install 'mobility[postgres]'",
     "kein Datenbanktreiber für {driver} ({detail}); für PostgreSQL das Extra installieren: "
     "pip install 'mobility[postgres]'"),
    ("cannot open the database: {detail}", "Die Datenbank lässt sich nicht öffnen: {detail}"),
    ("invalid OID {text}: an Erasmus+ organisation ID is E + 8 digits",
     "ungültige OID {text}: eine Erasmus+-Organisations-ID ist E + 8 Ziffern"),
    ("an organisation needs a name", "Eine Organisation braucht einen Namen"),
    ("empty", "leer"),
    ("name the municipality whose partnerships to keep",
     "Bitte die Kommune nennen, deren Partnerschaften gepflegt werden"),
    ("required", "Pflichtangabe"),
    ("{home} has no partnership with {partner} ({country}): reload",
     "{home} hat keine Partnerschaft mit {partner} ({country}): " + RELOAD),
    ("{confidence} is not one of {known}", "{confidence} ist keiner der Werte {known}"),
    ("an official municipality code (AGS) is 8 digits",
     "Ein amtlicher Gemeindeschlüssel (AGS) hat 8 Ziffern"),
    ("the partnership was not saved", "Die Partnerschaft wurde nicht gespeichert"),
    ("the partnerships were not saved", "Die Partnerschaften wurden nicht gespeichert"),
    ("partnerships (edited)", "Partnerschaften (bearbeitet)"),  # a file name in problems
    ("{home} already has a partnership with {partner} ({country}): change that one",
     "{home} hat schon eine Partnerschaft mit {partner} ({country}): bitte diese ändern"),
    ("cannot change {fields} (only {editable})",
     "{fields} kann nicht geändert werden (nur {editable})"),
    ("not editable", "nicht änderbar"),
    ("the partnership was changed meanwhile: reload",
     "Die Partnerschaft wurde inzwischen geändert: " + RELOAD),
    ("the partnership {home} - {partner} was changed by {who:term} at {when} UTC, reload",
     "Die Partnerschaft {home} - {partner} wurde von {who} am {when} UTC geändert, "
     + RELOAD),
    ("cannot export as {fmt}: use csv or xlsx",
     "Export als {fmt} nicht möglich: csv oder xlsx verwenden"),
    ("a match run needs an 'apprentice_id' column",
     "Ein Zuteilungslauf braucht eine Spalte 'apprentice_id'"),
    ("no match run {run}", "kein Zuteilungslauf {run}"),
    ("a working plan belongs to a sending organisation: name it",
     "Ein Arbeitsplan gehört zu einer Entsendeorganisation: bitte nennen"),
    ("a working plan belongs to a sending organisation",
     "Ein Arbeitsplan gehört zu einer Entsendeorganisation"),
    ("this run was made for another organisation's caseload",
     "Dieser Lauf wurde für die Fälle einer anderen Organisation berechnet"),
    ("shortlist status {status} is not one of {known}",
     "Merklisten-Status {status} ist keiner von {known}"),
    ("shortlist event {kind} is not one of {known}",
     "Merklisten-Ereignis {kind} ist keines von {known}"),
    ("an empty note is not saved", "Eine leere Notiz wird nicht gespeichert"),
    ("a manual override needs a reason", "Eine manuelle Abweichung braucht eine Begründung"),
    ("shortlist entry {a} / {p} does not exist (any more): reload",
     "Merklisteneintrag {a} / {p} gibt es nicht (mehr): " + RELOAD),
    ("shortlist entry {a} / {p} was created by {who} at {when}, reload",
     "Merklisteneintrag {a} / {p} wurde von {who} am {when} angelegt, " + RELOAD),
    ("shortlist entry {a} / {p} was changed by someone else just now, reload",
     "Merklisteneintrag {a} / {p} wurde gerade von jemand anderem geändert, " + RELOAD),
    ("shortlist entry {a} / {p} was changed by {who} at {when}, reload",
     "Merklisteneintrag {a} / {p} wurde von {who} am {when} geändert, " + RELOAD),
    ("apprentice {a} or placement {p} does not exist",
     "Azubi {a} oder Platz {p} gibt es nicht"),
)
