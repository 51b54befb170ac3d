; Included by electron-builder's NSIS installer (nsis.include in build/electron-builder.yml).
; Adds Autograd Studio to Explorer's "Open with" for .json files without taking .json
; over: the app's ProgID is listed under .json\OpenWithProgids and .json's default value
; (the handler a double-click uses) is left alone. Explorer passes the file as "%1"; a
; second instance hands it to the running window. SHELL_CONTEXT is HKLM for per-machine
; installs and HKCU for per-user ones.

!define STUDIO_PROGID "AutogradStudio.Graph"

!macro customInstall
  WriteRegStr SHELL_CONTEXT "Software\Classes\${STUDIO_PROGID}" "" "Autograd Studio graph document"
  WriteRegStr SHELL_CONTEXT "Software\Classes\${STUDIO_PROGID}\DefaultIcon" "" "$appExe,0"
  WriteRegStr SHELL_CONTEXT "Software\Classes\${STUDIO_PROGID}\shell\open" "" "Open with Autograd Studio"
  WriteRegStr SHELL_CONTEXT "Software\Classes\${STUDIO_PROGID}\shell\open\command" "" '"$appExe" "%1"'
  WriteRegNone SHELL_CONTEXT "Software\Classes\.json\OpenWithProgids" "${STUDIO_PROGID}"
  ; SHCNE_ASSOCCHANGED: Explorer rereads the associations
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
!macroend

!macro customUnInstall
  DeleteRegValue SHELL_CONTEXT "Software\Classes\.json\OpenWithProgids" "${STUDIO_PROGID}"
  DeleteRegKey SHELL_CONTEXT "Software\Classes\${STUDIO_PROGID}"
  System::Call 'shell32::SHChangeNotify(i 0x08000000, i 0, p 0, p 0)'
!macroend
