<#-- Shared frame of every WOUNDWO HTML e-mail: tables and inline styles only (mail clients strip
     <style> and often block SVG and images), a blue band with the word WOUNDWO, and a footer that
     says replies are not read and where to get help. -->
<#import "../woundwo.ftl" as ww>
<#assign font = "system-ui,-apple-system,'Segoe UI',Roboto,Helvetica,Arial,sans-serif">

<#macro emailLayout>
<!DOCTYPE html>
<html lang="${ww.lang()}" dir="${(ltr!true)?then('ltr','rtl')}">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light">
<title>WOUNDWO B2B</title>
</head>
<body style="margin:0;padding:0;background-color:#F5F7FA;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="background-color:#F5F7FA;">
<tr><td align="center" style="padding:24px 12px;">
<table role="presentation" width="100%" cellpadding="0" cellspacing="0" border="0" style="max-width:560px;background-color:#FFFFFF;border:1px solid #CBD2D9;border-radius:8px;">
<tr><td bgcolor="#0B4F8A" style="background-color:#0B4F8A;padding:16px 24px;border-radius:8px 8px 0 0;font-family:${font};font-size:22px;line-height:1.2;font-weight:800;letter-spacing:1px;color:#FFFFFF;">WOUNDWO <span style="font-weight:400;letter-spacing:0;">B2B</span></td></tr>
<tr><td style="padding:24px;font-family:${font};font-size:16px;line-height:1.5;color:#1F2933;">
<#nested>
</td></tr>
<tr><td style="padding:16px 24px 20px;border-top:1px solid #CBD2D9;font-family:${font};font-size:13px;line-height:1.5;color:#52606D;">
<p style="margin:0 0 8px;">${msg("wwMailFooterAutomatic")}</p>
<p style="margin:0;">${msg("wwMailFooterHelp")}<#if ww.helpUrl()?has_content> <a href="${ww.helpUrl()}" style="color:#0B4F8A;">${msg("wwMailHelpLink")}</a></#if><#if ww.localProp("contactUrl")?has_content> · <a href="${ww.localProp("contactUrl")}" style="color:#0B4F8A;">${msg("wwMailContactLink")}</a></#if></p>
</td></tr>
</table>
</td></tr>
</table>
</body>
</html>
</#macro>

<#macro heading>
<h1 style="margin:0 0 16px;font-family:${font};font-size:22px;line-height:1.3;color:#1F2933;"><#nested></h1>
</#macro>

<#macro p>
<p style="margin:0 0 16px;"><#nested></p>
</#macro>

<#-- A button that survives Outlook: a link inside a coloured table cell. -->
<#macro button href>
<table role="presentation" cellpadding="0" cellspacing="0" border="0" style="margin:8px 0 24px;">
<tr><td bgcolor="#0B4F8A" style="background-color:#0B4F8A;border-radius:6px;">
<a href="${href}" style="display:inline-block;padding:14px 24px;font-family:${font};font-size:16px;line-height:1.2;font-weight:700;color:#FFFFFF;text-decoration:none;border-radius:6px;"><#nested></a>
</td></tr>
</table>
</#macro>

<#-- The raw link for people whose mail client does not show the button. -->
<#macro rawLink href>
<p style="margin:0 0 16px;font-size:14px;color:#52606D;">${msg("wwMailCopyLink")}<br><a href="${href}" style="font-size:12px;color:#0B4F8A;word-break:break-all;">${href}</a></p>
</#macro>
