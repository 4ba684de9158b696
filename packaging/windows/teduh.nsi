; Teduh for Windows: a per-user installer (no administrator rights needed), made by
; scripts/windows.sh with Debian's makensis. Our own script rather than Tauri's bundler, which
; downloads NSIS plug-ins that cannot be fetched here.
;
; Defines from the command line:
;   VERSION  the app's version (tauri.conf.json)
;   SRC      the folder holding teduh-desktop.exe, teduh.exe, teduh-server.exe and teduh.ico
;   OUTFILE  the installer to write

Unicode true
!include "MUI2.nsh"
!include "LogicLib.nsh"

Name "Teduh"
OutFile "${OUTFILE}"
RequestExecutionLevel user
; Per user: under the user's own local application data, like other per-user programs.
InstallDir "$LOCALAPPDATA\Programs\Teduh"
InstallDirRegKey HKCU "Software\Teduh" "InstallDir"
SetCompressor /SOLID lzma
VIProductVersion "${VERSION}.0"
VIAddVersionKey /LANG=1057 "ProductName" "Teduh"
VIAddVersionKey /LANG=1057 "FileDescription" "Teduh - catatan konseling yang aman, juga tanpa internet"
VIAddVersionKey /LANG=1057 "FileVersion" "${VERSION}"
VIAddVersionKey /LANG=1057 "ProductVersion" "${VERSION}"
VIAddVersionKey /LANG=1057 "LegalCopyright" "Teduh"

!define UNINSTALL_KEY "Software\Microsoft\Windows\CurrentVersion\Uninstall\Teduh"
; The Microsoft Edge WebView2 Runtime's client id in EdgeUpdate's registry keys.
!define WEBVIEW2_ID "{F3017226-FE2A-4295-8BDF-00C3A9A7E4C5}"

!define MUI_ICON "${SRC}\teduh.ico"
!define MUI_UNICON "${SRC}\teduh.ico"
!define MUI_FINISHPAGE_RUN "$INSTDIR\teduh-desktop.exe"
!insertmacro MUI_PAGE_WELCOME
!insertmacro MUI_PAGE_DIRECTORY
!insertmacro MUI_PAGE_INSTFILES
!insertmacro MUI_PAGE_FINISH
!insertmacro MUI_UNPAGE_CONFIRM
!insertmacro MUI_UNPAGE_INSTFILES
; Bahasa Indonesia first (the default), English second.
!insertmacro MUI_LANGUAGE "Indonesian"
!insertmacro MUI_LANGUAGE "English"

LangString WebView2Missing ${LANG_INDONESIAN} "Teduh membutuhkan Microsoft Edge WebView2 Runtime, yang belum ada di komputer ini.$\r$\n$\r$\nWindows 11 dan Windows 10 yang diperbarui sudah memilikinya. Unduh 'Evergreen Bootstrapper' atau 'Evergreen Standalone Installer' dari https://developer.microsoft.com/microsoft-edge/webview2/ (atau minta ke petugas TI kantor Anda), pasang, lalu buka Teduh lagi.$\r$\n$\r$\nPemasangan Teduh tetap dilanjutkan; perintah 'teduh' di terminal bekerja tanpa WebView2."
LangString WebView2Missing ${LANG_ENGLISH} "Teduh needs the Microsoft Edge WebView2 Runtime, which this computer does not have yet.$\r$\n$\r$\nWindows 11 and an up-to-date Windows 10 already have it. Download the 'Evergreen Bootstrapper' or 'Evergreen Standalone Installer' from https://developer.microsoft.com/microsoft-edge/webview2/ (or ask your office's IT staff), install it, then open Teduh again.$\r$\n$\r$\nTeduh is installed anyway; the 'teduh' command in a terminal works without WebView2."
LangString DataKept ${LANG_INDONESIAN} "Teduh sudah dihapus. Data terenkripsi Anda tetap tersimpan di $LOCALAPPDATA\Teduh; hapus folder itu sendiri hanya jika Anda yakin datanya sudah tidak diperlukan."
LangString DataKept ${LANG_ENGLISH} "Teduh was removed. Your encrypted data stays in $LOCALAPPDATA\Teduh; delete that folder yourself only when you are sure the data is no longer needed."

; Whether a WebView2 Runtime is registered, machine-wide (64- or 32-bit view) or for this user.
Function WebView2Installed
  ReadRegStr $0 HKLM "SOFTWARE\WOW6432Node\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_ID}" "pv"
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKLM "SOFTWARE\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_ID}" "pv"
  ${EndIf}
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    ReadRegStr $0 HKCU "Software\Microsoft\EdgeUpdate\Clients\${WEBVIEW2_ID}" "pv"
  ${EndIf}
FunctionEnd

Section "Teduh"
  SetShellVarContext current
  SetOutPath "$INSTDIR"
  File "${SRC}\teduh-desktop.exe"
  File "${SRC}\teduh.exe"
  File "${SRC}\teduh-server.exe"
  File "${SRC}\teduh.ico"
  WriteUninstaller "$INSTDIR\uninstall.exe"

  CreateDirectory "$SMPROGRAMS\Teduh"
  CreateShortcut "$SMPROGRAMS\Teduh\Teduh.lnk" "$INSTDIR\teduh-desktop.exe" "" "$INSTDIR\teduh.ico"
  CreateShortcut "$SMPROGRAMS\Teduh\Hapus Teduh (Uninstall).lnk" "$INSTDIR\uninstall.exe"

  WriteRegStr HKCU "Software\Teduh" "InstallDir" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayName" "Teduh"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayVersion" "${VERSION}"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "Publisher" "Teduh"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "DisplayIcon" "$INSTDIR\teduh.ico"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "InstallLocation" "$INSTDIR"
  WriteRegStr HKCU "${UNINSTALL_KEY}" "UninstallString" '"$INSTDIR\uninstall.exe"'
  WriteRegStr HKCU "${UNINSTALL_KEY}" "QuietUninstallString" '"$INSTDIR\uninstall.exe" /S'
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoModify" 1
  WriteRegDWORD HKCU "${UNINSTALL_KEY}" "NoRepair" 1

  Call WebView2Installed
  ${If} $0 == ""
  ${OrIf} $0 == "0.0.0.0"
    MessageBox MB_OK|MB_ICONEXCLAMATION "$(WebView2Missing)" /SD IDOK
  ${EndIf}
SectionEnd

Section "Uninstall"
  SetShellVarContext current
  Delete "$INSTDIR\teduh-desktop.exe"
  Delete "$INSTDIR\teduh.exe"
  Delete "$INSTDIR\teduh-server.exe"
  Delete "$INSTDIR\teduh.ico"
  Delete "$INSTDIR\uninstall.exe"
  RMDir "$INSTDIR"
  Delete "$SMPROGRAMS\Teduh\Teduh.lnk"
  Delete "$SMPROGRAMS\Teduh\Hapus Teduh (Uninstall).lnk"
  RMDir "$SMPROGRAMS\Teduh"
  DeleteRegKey HKCU "${UNINSTALL_KEY}"
  DeleteRegKey HKCU "Software\Teduh"
  ; Removing the program never removes the vault: client records outlive an uninstall.
  MessageBox MB_OK|MB_ICONINFORMATION "$(DataKept)" /SD IDOK
SectionEnd
